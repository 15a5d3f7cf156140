import { cpus } from 'node:os';
import {
  CachingDataStore,
  type DataKind,
  defineKind,
  type VersionedItem,
  wrapDriver,
} from '@stowage/core';
import { createRedisDriver } from '@stowage/redis';
import { expect, it } from 'vitest';
import { compare, fmt, items, n, pin, RUNS } from './fixtures.js';
import { measure, type Sample } from './measure.js';
import { modeNamed, pinned } from './modes.js';

// The miss path of the cache over Redis: `get` through `CachingDataStore` where every read is a
// miss (a fresh cache each run, every key read once), next to the bare driver's `get` of the same
// keys in the same run. The cache's work (lookup, coalescing, storing the answer) should add under
// 10% to a read that goes to Redis anyway. Then the typed store's miss (status tracking, decoding
// and freezing included) next to the driver's `get` plus the `JSON.parse` an app would do itself.
// Standalone server, pinned like redis.bench.ts.

const features: DataKind = { namespace: 'features' };
const flags = defineKind<VersionedItem>('features');

it('benchmarks cache misses over the Redis driver', async () => {
  const deployment = await modeNamed('standalone').start();
  const isPinned = cpus().length >= 2 && pinned(deployment, pin);
  const driver = createRedisDriver({ ...deployment.storeOptions, prefix: 'cache-bench' });
  const rows: string[] = [];
  try {
    const count = n(10_000);
    const data = items('flag', count);
    await driver.init([{ kind: features, items: data }]);
    const keys = data.map(([key]) => key);
    const keyAt = (i: number) => keys[i] as string;

    const row = (name: string, subject: Sample, base: Sample, target: string) => {
      const overhead = base.opsPerSecond / subject.opsPerSecond - 1;
      const extraMicros = (1 / subject.opsPerSecond - 1 / base.opsPerSecond) * 1e6;
      rows.push(
        `| ${name} | ${fmt(subject.opsPerSecond)} | ${fmt(base.opsPerSecond)} | **${(overhead * 100).toFixed(1)}%** (${extraMicros >= 0 ? '+' : ''}${extraMicros.toFixed(1)} µs/call) | ${target} |`,
      );
    };
    for (const inFlight of [1, 100]) {
      const contenders = [
        async () => {
          // A fresh cache over the same driver (and connection): each of `count` keys is read once,
          // so every call misses. Not closed: that would close the shared driver.
          const cache = new CachingDataStore(driver, { ttl: '1h' });
          const sample = await measure(count, inFlight, (i) => cache.get(features, keyAt(i)));
          expect(cache.size).toBe(count);
          return sample;
        },
        () => measure(count, inFlight, (i) => driver.get(features, keyAt(i))),
        // A fresh typed store over the same driver; not closed either.
        () => {
          const store = wrapDriver(driver, { cache: { ttl: '1h' } });
          return measure(count, inFlight, (i) => store.get(flags, keyAt(i)));
        },
        () =>
          measure(count, inFlight, async (i) => {
            const stored = await driver.get(features, keyAt(i));
            return stored?.serializedItem === undefined
              ? undefined
              : JSON.parse(stored.serializedItem);
          }),
      ];
      // One untimed round each first: the cache's code is otherwise measured before the JIT has
      // compiled it, the driver's (already used by init) after.
      for (const contender of contenders) await contender();
      const [cached, bare, typed, parsed] = (await compare(contenders)) as Sample[];
      row(`miss, ${inFlight} in flight`, cached as Sample, bare as Sample, '< 10%');
      row(`typed miss, ${inFlight} in flight`, typed as Sample, parsed as Sample, '(reported)');
    }
  } finally {
    await driver.close();
    await deployment.stop();
  }

  console.log(
    [
      '',
      '### cache misses over the Redis driver (standalone)',
      '',
      `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, ${new Date().toISOString().slice(0, 10)}`,
      isPinned
        ? 'client pinned to CPU 0, redis-server to CPU 1 (taskset -a -pc)'
        : 'NOT pinned (taskset missing or a single CPU)',
      `${RUNS} alternating runs, medians; ops/s; overhead = time per call through the cache vs bare`,
      "miss: CachingDataStore.get vs driver.get; typed miss: the typed store's get vs driver.get + JSON.parse",
      '',
      '| operation | through the cache | bare | overhead | target |',
      '|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
});
