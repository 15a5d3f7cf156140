import { cpus } from 'node:os';
import { CachingDataStore, type DataKind } from '@stowage/core';
import { createRedisDriver } from '@stowage/redis';
import { expect, it } from 'vitest';
import { compare, fmt, items, n, pin, RUNS } from './fixtures.js';
import { measure, type Sample } from './measure.js';
import { modeNamed, pinned } from './modes.js';

// The miss path of the caching decorator over Redis: `get` through `CachingDataStore` where every
// read is a miss (a fresh cache each run, every key read once), next to the bare driver's `get` of
// the same keys in the same run. The decorator's work (lookup, coalescing map, storing the answer)
// should add under 10% to a read that goes to Redis anyway. Standalone server, pinned like
// redis.bench.ts. Figures go into packages/redis/README.md.

const features: DataKind = { namespace: 'features' };

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
      ];
      // One untimed round each first: the decorator's code is otherwise measured before the JIT
      // has compiled it, the driver's (already used by init) after.
      for (const contender of contenders) await contender();
      const [cached, bare] = await compare(contenders);
      const c = cached as Sample;
      const b = bare as Sample;
      const overhead = b.opsPerSecond / c.opsPerSecond - 1;
      const extraMicros = (1 / c.opsPerSecond - 1 / b.opsPerSecond) * 1e6;
      rows.push(
        `| miss, ${inFlight} in flight | ${fmt(c.opsPerSecond)} | ${fmt(b.opsPerSecond)} | **${(overhead * 100).toFixed(1)}%** (${extraMicros >= 0 ? '+' : ''}${extraMicros.toFixed(1)} µs/call) | < 10% |`,
      );
    }
  } finally {
    await driver.close();
    await deployment.stop();
  }

  console.log(
    [
      '',
      '### cache misses: CachingDataStore over the Redis driver (standalone)',
      '',
      `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, ${new Date().toISOString().slice(0, 10)}`,
      isPinned
        ? 'client pinned to CPU 0, redis-server to CPU 1 (taskset -a -pc)'
        : 'NOT pinned (taskset missing or a single CPU)',
      `${RUNS} alternating runs, medians; ops/s; overhead = time per call through the cache vs bare`,
      '',
      '| operation | CachingDataStore.get | driver.get | overhead | target |',
      '|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
});
