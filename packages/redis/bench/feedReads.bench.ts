import { cpus } from 'node:os';
import { type DataStore, wrapDriver } from '@stowage/core';
import { createRedisDriver } from '@stowage/redis';
import { expect, it } from 'vitest';
import { flags, keyOf, openInstance, seed, waitForLiveFeed, warm } from './feedProbe.js';
import { finishAll, type ReaderProcess, withReaderProcesses } from './feedProcesses.js';
import { cell, compare, n, pin, RUNS } from './fixtures.js';
import { measure, type Sample } from './measure.js';
import { type BenchMode, pinned, selectedModes } from './modes.js';

// A read-mostly pool: 95% reads over 1,000 keys on one instance, 5% writes by another instance
// (its own driver and connections) to the same keys. The reading instance has an infinite-TTL
// cache kept coherent by the change feed (each write drops or replaces exactly its key, so the
// next read of that key misses once) vs the same instance without a cache (TTL 0, every read a
// round trip). Throughput of the whole mix, reads and writes together, at 1 and 100 in flight,
// in two forms: a closed mix (every 20th call of the loop is the other instance's write, awaited
// like a read: the writes' round trips bound the ratio near 10x whatever the cache does), and
// writes from another process (a forked process with its own instance writes them, 10 in flight,
// while the reads run here; the run ends when both are done): the pool the target speaks of,
// without the writer's work taking this process's CPU. Latencies are those of the reading loop's
// calls (a write slot of the second form counts as nothing). Medians of RUNS alternating runs.
// Target: at least 10x. After the runs the cached instance must answer what the server holds for
// every key. Per mode (BENCH_MODES).

const KEYS = 1000;
/** One operation in WRITE_EVERY is a write by the other instance. */
const WRITE_EVERY = 20;

async function benchmark(mode: BenchMode): Promise<void> {
  const deployment = await mode.start();
  const isPinned = cpus().length >= 2 && pinned(deployment, pin);
  const prefix = 'reads';
  const writer = openInstance(deployment.storeOptions, prefix);
  const cached = openInstance(deployment.storeOptions, prefix);
  const uncached: DataStore = wrapDriver(
    createRedisDriver({ ...deployment.storeOptions, prefix }),
    { cache: { ttl: 0 } },
  );
  const rows: string[] = [];
  // Checked after the figures are printed, so that a failing run still reports them.
  let behind: string[] = [];
  /** Writes of a new version the other process had refused: none is expected. */
  let refused = 0;
  let feedAfter = '';
  try {
    const keys = await seed(writer, KEYS);
    await Promise.all([writer, cached].map((store) => waitForLiveFeed(store)));
    await warm(cached, KEYS);
    // Keys spread over the whole set; writes always newer than anything written before.
    const keyAt = (i: number) => keyOf((i * 7919) % KEYS, KEYS);
    let version = 1;
    await withReaderProcesses(1, async ([peer]) => {
      const other = peer as ReaderProcess;
      const shape = { firstVersion: 0, total: 0, keyCount: 1 };
      await other.request(
        { type: 'start', storeOptions: deployment.storeOptions, prefix, instances: 1, shape },
        'ready',
      );
      /**
       * The mix on `reader`. In a closed mix every 20th call of the loop is a write by the other
       * instance of this process, awaited like a read. Else the writes are the forked process's:
       * sent to it at the start, written there (10 in flight) while the reads run here, the run
       * ending when both are done.
       */
      const mix =
        (reader: DataStore, count: number, inFlight: number, closed: boolean) => async () => {
          const base = version;
          version += count;
          const isWrite = (i: number) => i % WRITE_EVERY === WRITE_EVERY - 1;
          const started = performance.now();
          const writes: Array<readonly [string, number]> = [];
          for (let i = 0; i < count; i++) if (isWrite(i)) writes.push([keyAt(i), base + i]);
          const written = closed
            ? Promise.resolve({ refused: 0 })
            : other.request<{ refused: number }>(
                { type: 'write', writes, inFlight: 10 },
                'written',
              );
          const sample = await measure(count, inFlight, (i) => {
            if (!isWrite(i)) return reader.get(flags, keyAt(i));
            if (!closed) return Promise.resolve();
            return writer.upsert(flags, { key: keyAt(i), version: base + i, on: i % 2 === 0 });
          });
          refused += (await written).refused;
          return { ...sample, opsPerSecond: count / ((performance.now() - started) / 1000) };
        };
      for (const [count, inFlight, closed] of [
        [n(10_000), 1, true],
        [n(50_000), 100, true],
        [n(10_000), 1, false],
        [n(50_000), 100, false],
      ] as const) {
        const contenders = [
          mix(cached, count, inFlight, closed),
          mix(uncached, count, inFlight, closed),
        ];
        for (const contender of contenders) await contender();
        const [withCache, without] = (await compare(contenders)) as Sample[];
        const ratio = withCache!.opsPerSecond / without!.opsPerSecond;
        const form = closed ? 'closed mix' : 'writes from another process';
        rows.push(
          `| ${form}, ${inFlight} in flight | ${cell(withCache!)} | ${cell(without!)} | **${ratio.toFixed(1)}x** | ≥ 10x |`,
        );
      }
      await finishAll([other], 0);
    });
    // The feed drained: the cached view is the server's, key by key.
    const server = createRedisDriver({ ...deployment.storeOptions, prefix });
    try {
      const deadline = Date.now() + 5_000;
      do {
        await new Promise((resolve) => setTimeout(resolve, 50));
        behind = [];
        for (const key of keys) {
          const [mine, theirs] = await Promise.all([
            cached.get(flags, key),
            server.get(flags, key),
          ]);
          if (mine?.version !== theirs?.version) behind.push(key);
        }
      } while (behind.length > 0 && Date.now() < deadline);
    } finally {
      await server.close();
    }
    feedAfter = cached.status.feed;
  } finally {
    await Promise.all([writer.close(), cached.close(), uncached.close()]);
    await deployment.stop();
  }

  console.log(
    [
      '',
      `### read-mostly pool with the change feed, ${mode.name}: ${mode.description}`,
      '',
      `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, ${new Date().toISOString().slice(0, 10)}`,
      isPinned
        ? 'client pinned to CPU 0, every server process to CPU 1 (taskset -a -pc)'
        : 'NOT pinned (taskset missing or a single CPU)',
      `${RUNS} alternating runs, medians; ${KEYS} keys; cells: ops/s of the whole mix (p50 ms / p99 ms)`,
      '',
      '| 95% reads, 5% writes by another instance | infinite TTL + feed | no cache (TTL 0) | ratio | target |',
      '|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
  expect(refused, 'writes of a new version refused').toBe(0);
  expect(behind, 'keys whose cached version is not the server’s').toEqual([]);
  expect(feedAfter).toBe('live');
}

for (const mode of selectedModes()) {
  it(`benchmarks a read-mostly pool with the change feed: ${mode.name}`, () => benchmark(mode));
}
