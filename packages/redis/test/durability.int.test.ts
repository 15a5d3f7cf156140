import { StoreErrorCode, StowageError } from '@stowage/core';
import { type RedisServer, startRedisServer } from '@stowage/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createRedisDriver,
  DurabilityNotConfirmedError,
  type RedisDataStore,
} from '../src/index.js';
import { features, item } from './support/items.js';
import { waitForReplicaInSync } from './support/nodeState.js';

// waitForReplicas on one primary, without faults: what a write reports, and that a WAIT blocks
// only the write it follows. The failovers are in sentinel.durability and cluster.durability.
const WAIT_MS = 300;
const WRITERS = 4;

let primary: RedisServer;
let replica: RedisServer;
const stores: RedisDataStore[] = [];

beforeAll(async () => {
  primary = await startRedisServer();
  replica = await startRedisServer({ args: ['--replicaof', primary.host, String(primary.port)] });
  await waitForReplicaInSync(replica);
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await Promise.all([replica?.stop(), primary?.stop()]);
});

/** A wait long enough for a replica that is there, however loaded the machine: WAIT returns once it confirms. */
const CONFIRMING_WAIT_MS = 1500;

function open(prefix: string, replicas: number | 'attached', timeoutMs = WAIT_MS) {
  const store = createRedisDriver({
    host: primary.host,
    port: primary.port,
    prefix,
    commandTimeoutMs: 2000,
    waitForReplicas: { replicas, timeoutMs },
  });
  stores.push(store);
  return store;
}

it('a write its replicas confirmed succeeds; one they could not is durability-not-confirmed with the counts, and applied', async () => {
  const confirmed = open('confirmed', 'attached', CONFIRMING_WAIT_MS);
  await confirmed.init([{ kind: features, items: [['a', item('a', 1)]] }]);
  expect(await confirmed.upsert(features, 'b', item('b', 1))).toEqual({ applied: true });

  const short = open('short', 2);
  const error = await short.upsert(features, 'c', item('c', 1)).catch((e: unknown) => e);
  expect(StowageError.is(error, StoreErrorCode.DurabilityNotConfirmed)).toBe(true);
  expect(error).toBeInstanceOf(DurabilityNotConfirmedError);
  expect(error).toMatchObject({ confirmed: 1, required: 2 });
  // Applied all the same: a retry of the same version is refused as not newer.
  expect(await short.get(features, 'c')).toMatchObject({ version: 1 });
  expect(await short.upsert(features, 'c', item('c', 1))).toMatchObject({ applied: false });
});

it('writers whose WAITs block do not wait for each other, and reads do not wait for them', async () => {
  const short = open('blocking', 2);
  await short.upsert(features, 'seed', item('seed', 1)).catch(() => {});
  const started = performance.now();
  const writes = Array.from({ length: WRITERS }, (_, n) =>
    short.upsert(features, `w${n}`, item(`w${n}`, 1)).then(
      () => 'applied',
      (error: unknown) => (StowageError.is(error) ? error.code : 'untyped'),
    ),
  );
  // A read sent while every writer's WAIT blocks for WAIT_MS.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const readStarted = performance.now();
  expect(await short.get(features, 'seed')).toMatchObject({ version: 1 });
  const readMs = performance.now() - readStarted;
  const codes = await Promise.all(writes);
  const writesMs = performance.now() - started;
  console.log(
    `${WRITERS} blocked writers took ${Math.round(writesMs)} ms in all (WAIT ${WAIT_MS} ms each); a read among them ${Math.round(readMs)} ms`,
  );
  expect(codes).toEqual(Array(WRITERS).fill(StoreErrorCode.DurabilityNotConfirmed));
  // One connection would queue them: WRITERS x WAIT_MS. Side by side they end together.
  expect(writesMs).toBeLessThan(2 * WAIT_MS);
  expect(readMs).toBeLessThan(WAIT_MS / 2);
});
