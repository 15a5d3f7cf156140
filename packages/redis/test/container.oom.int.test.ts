import { StatusTrackingStore, type StoreStatus, StowageError } from '@stowage/core';
import { isUnavailabilityCode } from '@stowage/core/driver';
import { type RedisContainer, startRedisContainer, whyNoContainerEngine } from '@stowage/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisDriver } from '../src/index.js';
import { within } from './support/deadline.js';
import { features, item } from './support/items.js';

// A cgroup memory limit below what Redis will use: the kernel's OOM killer ends the server, which
// no local process test can do without risking the machine. Redis keeps everything in memory and
// these servers persist nothing, so every acknowledged write dies with it; the store must say
// so typed, and its status stream must report the outage. With `maxmemory` under the limit, Redis
// refuses writes instead and keeps what it acknowledged.
const LIMIT_MB = 48;
const VALUE_BYTES = 64 * 1024;
const MAX_WRITES = 2_000;
const COMMAND_TIMEOUT_MS = 500;
const BOUND_MS = COMMAND_TIMEOUT_MS + 1_500;

const noEngine = await whyNoContainerEngine();
if (noEngine !== undefined) console.warn(`OOM tests skipped: ${noEngine}`);

const started: RedisContainer[] = [];
afterAll(async () => {
  await Promise.all(started.map((container) => container.stop()));
});

interface Run {
  readonly acknowledged: number;
  readonly firstFailure: StowageError | undefined;
  readonly events: StoreStatus[];
  readonly tracker: StatusTrackingStore;
}

/** Writes 64 KiB items one after another until one fails (or MAX_WRITES), each call bounded. */
async function fill(redis: RedisContainer, prefix: string): Promise<Run> {
  const driver = createRedisDriver({
    url: redis.url,
    prefix,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    connectTimeoutMs: 1_000,
  });
  const tracker = new StatusTrackingStore(driver, { pollIntervalMs: 100 });
  const events: StoreStatus[] = [];
  tracker.status$.subscribe((status) => events.push(status));
  const padding = 'x'.repeat(VALUE_BYTES);
  let acknowledged = 0;
  let firstFailure: StowageError | undefined;
  for (let i = 0; i < MAX_WRITES && firstFailure === undefined; i += 1) {
    try {
      await within(
        tracker.upsert(features, `k${i}`, item(`k${i}`, 1, { padding })),
        BOUND_MS,
        'a write',
      );
      acknowledged += 1;
    } catch (error) {
      expect(StowageError.is(error), `expected a typed failure, got ${String(error)}`).toBe(true);
      firstFailure = error as StowageError;
    }
  }
  return { acknowledged, firstFailure, events, tracker };
}

async function storedCount(redis: RedisContainer, prefix: string): Promise<number> {
  return Number(await redis.redisCli('HLEN', `${prefix}:features`));
}

describe.skipIf(noEngine !== undefined)(`Redis under a ${LIMIT_MB} MiB cgroup memory limit`, () => {
  it('without maxmemory: killed by the kernel, the store fails typed and reports it, every write is lost', async () => {
    const redis = await startRedisContainer({ memoryLimitMb: LIMIT_MB });
    started.push(redis);
    const run = await fill(redis, 'oom');
    try {
      expect(run.firstFailure, 'the limit was never reached').toBeDefined();
      const state = await redis.state();
      expect(state).toMatchObject({ running: false, oomKilled: true, exitCode: 137 });
      expect(isUnavailabilityCode(run.firstFailure!.code)).toBe(true);
      expect(run.tracker.status.available).toBe(false);
      expect(run.events.map((status) => status.available)).toEqual([true, false]);

      await redis.restart();
      const kept = await storedCount(redis, 'oom');
      console.log(
        `OOM kill after ${run.acknowledged} acknowledged writes of 64 KiB; the store said ` +
          `${run.firstFailure!.code}; kept after restart: ${kept} (lost ${run.acknowledged - kept})`,
      );
      // Nothing persisted: the kill lost every acknowledged write. That is the fact to know.
      expect(kept).toBe(0);
      // The same address answers again and the store recovers by itself.
      await expect
        .poll(() => run.tracker.status.available, { timeout: 10_000, interval: 100 })
        .toBe(true);
    } finally {
      await run.tracker.close();
    }
  });

  it('with maxmemory below the limit: writes are refused typed, the server lives, nothing acknowledged is lost', async () => {
    const redis = await startRedisContainer({
      memoryLimitMb: LIMIT_MB,
      args: ['--maxmemory', `${LIMIT_MB / 3}mb`, '--maxmemory-policy', 'noeviction'],
    });
    started.push(redis);
    const run = await fill(redis, 'capped');
    try {
      expect(run.firstFailure, 'maxmemory was never reached').toBeDefined();
      expect(await redis.state()).toMatchObject({ running: true, oomKilled: false });
      // Redis answered (an OOM error reply): not an outage, so the status stays available.
      expect(isUnavailabilityCode(run.firstFailure!.code)).toBe(false);
      expect(run.firstFailure!.message).toMatch(/OOM|maxmemory/i);
      expect(run.tracker.status.available).toBe(true);
      const kept = await storedCount(redis, 'capped');
      console.log(
        `maxmemory: ${run.acknowledged} acknowledged writes, then ${run.firstFailure!.code}; ` +
          `kept: ${kept}`,
      );
      expect(kept).toBe(run.acknowledged);
    } finally {
      await run.tracker.close();
    }
  });
});
