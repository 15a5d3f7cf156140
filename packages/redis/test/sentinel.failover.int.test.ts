import { type SentinelGroup, startSentinelGroup } from '@stowage/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRedisDriver, type RedisDataStore } from '../src/index.js';
import { lostWrites, tally, writeThroughFault } from './support/writeStream.js';

// kill -9 of the primary during a stream of upserts: the driver reaches the new primary by
// itself; operations in the gap fail typed within the timeouts; every acknowledged write is
// readable afterwards (a killed primary accepts nothing more, so none may be lost).
const CONNECT_TIMEOUT_MS = 2000;
const COMMAND_TIMEOUT_MS = 1000;
const GRACE_MS = 1000;

let group: SentinelGroup;
let store: RedisDataStore;

beforeAll(async () => {
  group = await startSentinelGroup();
  await group.waitForQuorum();
  store = createRedisDriver({
    url: `redis+sentinel://${group.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}/${group.name}`,
    prefix: 'failover',
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
  });
});

afterAll(async () => {
  await store?.close();
  await group?.stop();
});

it('survives kill -9 of the primary: typed, bounded failures, then every acknowledged write readable', async () => {
  let oldPort = 0;
  const report = await writeThroughFault({
    store,
    keyBase: 'kill',
    faultAfter: 300,
    writesAfter: 300,
    deadlineMs: 30_000,
    fault: async () => {
      oldPort = (await group.killPrimary()).port;
      await group.waitForNewPrimary(oldPort);
    },
  });
  console.log(
    `sentinel kill -9: first write OK ${report.recoveryMs} ms after the kill; ${report.failures.length} failed operations ${JSON.stringify(tally(report.failures))}; ${report.acknowledged.length} acknowledged; slowest operation ${report.slowestMs} ms`,
  );
  expect(report.recoveryMs).toBeDefined();
  for (const code of report.failures) {
    expect(['connection', 'timeout', 'outcome-unknown']).toContain(code);
  }
  // Never hangs: no call outlives a reconnect wait plus a command.
  expect(report.slowestMs).toBeLessThan(CONNECT_TIMEOUT_MS + COMMAND_TIMEOUT_MS + GRACE_MS);
  expect(await lostWrites(store, report.acknowledged)).toBe(0);
  expect(await store.isAvailable()).toBe(true);
});
