import {
  CachingDataStore,
  StatusTrackingStore,
  type StoreStatus,
  StowageError,
} from '@stowage/core';
import { isUnavailabilityCode } from '@stowage/core/driver';
import { type RedisContainer, startRedisContainer, whyNoContainerEngine } from '@stowage/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisDriver } from '../src/index.js';
import { adminClient } from './support/adminClient.js';
import { within } from './support/deadline.js';
import { features, item } from './support/items.js';

// A blackhole partition, which a local process cannot make: every packet entering the
// container is dropped inside its network namespace. Nothing is refused and no connection closes;
// requests and replies vanish. The published port is pinned, so after the partition heals the
// clients reach the same address again. Over it, a cached store keeps answering what it holds,
// every call that needs Redis fails typed within its timeout, the status stream reports the
// outage and the recovery, and nothing acknowledged is lost.
const COMMAND_TIMEOUT_MS = 400;
const CONNECT_TIMEOUT_MS = 800;
const BOUND_MS = CONNECT_TIMEOUT_MS + COMMAND_TIMEOUT_MS + 1_000;
const KEYS = 40;

const noEngine = await whyNoContainerEngine();
if (noEngine !== undefined) console.warn(`partition tests skipped: ${noEngine}`);

let redis: RedisContainer;
let admin: Redis;

beforeAll(async () => {
  if (noEngine !== undefined) return;
  redis = await startRedisContainer();
  admin = adminClient(redis);
});

afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
});

/** The driver under a status tracker under the cache, as `wrapDriver` builds them. */
function openStack(prefix: string, ttl: '5m' | 'infinite') {
  const driver = createRedisDriver({
    url: redis.url,
    prefix,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
  });
  const tracker = new StatusTrackingStore(driver, { pollIntervalMs: 100 });
  const cache = new CachingDataStore(tracker, { ttl });
  tracker.setRecoveryHandler(() => cache.recover());
  const events: StoreStatus[] = [];
  tracker.status$.subscribe((status) => events.push(status));
  return { cache, tracker, events };
}

/** The error code of a call that must fail typed within the bound. */
async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await within(promise, BOUND_MS, 'the call').then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(StowageError.is(error), `expected a typed failure, got ${String(error)}`).toBe(true);
  return (error as StowageError).code;
}

async function waitForStatus(
  tracker: StatusTrackingStore,
  available: boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (tracker.status.available !== available) {
    if (Date.now() > deadline) {
      throw new Error(`status did not become available=${available} within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(noEngine !== undefined)('a blackhole partition of a containerized Redis', () => {
  it('fails typed within the timeouts, reports it, serves the cache, and loses nothing acknowledged', async () => {
    const finite = openStack('part-ttl', '5m');
    const infinite = openStack('part-inf', 'infinite');
    try {
      // Acknowledged writes before the partition; every key is read once so the caches hold it.
      for (const { cache } of [finite, infinite]) {
        for (let i = 0; i < KEYS; i += 1) await cache.upsert(features, `k${i}`, item(`k${i}`, 1));
        for (let i = 0; i < KEYS; i += 1) await cache.get(features, `k${i}`);
      }

      await redis.partition();
      const partitionedAt = Date.now();
      // Calls that need Redis fail typed within the configured timeouts: a read the cache cannot
      // answer, and a write (sent, unanswered: its outcome is unknown).
      const missCode = await failure(finite.cache.get(features, 'not-cached'));
      const writeCode = await failure(finite.cache.upsert(features, 'k0', item('k0', 2)));
      expect(isUnavailabilityCode(missCode as never), missCode).toBe(true);
      expect(isUnavailabilityCode(writeCode as never), writeCode).toBe(true);
      // The status stream says so, with the failure that made it unavailable.
      expect(finite.tracker.status.available).toBe(false);
      expect(finite.events.at(-1)?.error?.code).toBe(missCode);
      // Cached reads keep working over the partition.
      const cached = await within(finite.cache.get(features, 'k5'), 100, 'a cached read');
      expect(JSON.parse(cached?.serializedItem ?? '{}')).toMatchObject({ key: 'k5', version: 1 });

      // The infinite cache takes writes while Redis is unreachable (they reject, and are kept
      // to be written back on recovery).
      for (let i = 0; i < 5; i += 1) {
        const code = await failure(infinite.cache.upsert(features, `k${i}`, item(`k${i}`, 3)));
        expect(isUnavailabilityCode(code as never), code).toBe(true);
      }
      for (let i = 0; i < 5; i += 1) {
        const taken = await within(infinite.cache.get(features, `k${i}`), 100, 'a cached read');
        expect(taken?.version).toBe(3);
      }
      const heldFor = Date.now() - partitionedAt;

      await redis.heal();
      await Promise.all([
        waitForStatus(finite.tracker, true, 10_000),
        waitForStatus(infinite.tracker, true, 10_000),
      ]);
      console.log(
        `partition held ${heldFor} ms; uncached read: ${missCode}, write: ${writeCode}; status events: finite ${finite.events.length}, ` +
          `infinite ${infinite.events.length}; recovery needsRefresh: ` +
          `${finite.events.at(-1)?.needsRefresh}/${infinite.events.at(-1)?.needsRefresh}`,
      );
      expect(finite.events.map((status) => status.available)).toEqual([true, false, true]);
      expect(infinite.events.map((status) => status.available)).toEqual([true, false, true]);
      // Redis holds the writes the infinite cache took (checked below): they were written back.

      // Nothing acknowledged was lost: every key is in Redis at its acknowledged version (the
      // outcome-unknown write of k0 v2 may or may not have landed), and the infinite cache's
      // writes made during the partition were written back.
      const stored = async (prefix: string) =>
        new Map(
          Object.entries(await admin.hgetall(`${prefix}:features`)).map(([key, raw]) => [
            key,
            (JSON.parse(raw) as { version: number }).version,
          ]),
        );
      const [afterFinite, afterInfinite] = await Promise.all([
        stored('part-ttl'),
        stored('part-inf'),
      ]);
      let lost = 0;
      for (let i = 0; i < KEYS; i += 1) {
        if ((afterFinite.get(`k${i}`) ?? 0) < 1) lost += 1;
        if ((afterInfinite.get(`k${i}`) ?? 0) < (i < 5 ? 3 : 1)) lost += 1;
      }
      console.log(`acknowledged writes: ${2 * KEYS} + 5 written back; lost after healing: ${lost}`);
      expect(lost).toBe(0);
      // And the store writes again through the same address.
      await within(finite.cache.upsert(features, 'after', item('after', 1)), BOUND_MS, 'a write');
    } finally {
      await Promise.all([finite.cache.close(), infinite.cache.close()]);
    }
  });
});
