import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import type { interfaces, LDClientContext, LDFeatureStore } from '@launchdarkly/node-server-sdk';
import { RedisFeatureStore } from '@launchdarkly/node-server-sdk-redis';
import type { DataKind, SerializedItemDescriptor } from '@stowage/core';
import { createRedisDriver } from '@stowage/redis';
import { startRedisServer } from '@stowage/testing';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { COMPARE_AND_SET_LUA } from '../src/upsert/compareAndSetScript.js';
import { measure, medianSample, type Sample } from './measure.js';

// Throughput and latency of the driver against a real redis-server, each next to raw ioredis doing
// the same Redis work in the same run (the ratio is the figure), and beside LaunchDarkly's Redis
// store where it does the same operation. Medians of RUNS alternating runs. The figures go into
// packages/redis/README.md.
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** Scales every operation count, e.g. 0.1 for a quick look. */
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const n = (count: number) => Math.max(1, Math.round(count * SCALE));
const ITEM_BYTES = 500;

const features: DataKind = { namespace: 'features' };
// LaunchDarkly's store knows only its own two kinds, so the benchmark uses those names.
const large: DataKind = { namespace: 'segments' };
const writes = features;
const ldKind = (namespace: string): interfaces.DataKind => ({ namespace });

/** A feature-flag-like JSON body of about ITEM_BYTES bytes. */
function body(key: string, version: number): string {
  const base = {
    key,
    version,
    on: version % 2 === 0,
    variations: [true, false],
    fallthrough: { variation: 0 },
    offVariation: 1,
    salt: `salt-${key}`,
    targets: [{ values: [`user-${key}-a`, `user-${key}-b`], variation: 0 }],
    rules: [{ id: `rule-${key}`, clauses: [{ attribute: 'email', op: 'endsWith' }] }],
    prerequisites: [],
    deleted: false,
    description: '',
  };
  const padding = ITEM_BYTES - JSON.stringify(base).length;
  return JSON.stringify({ ...base, description: 'x'.repeat(Math.max(0, padding)) });
}

const descriptor = (key: string, version: number): SerializedItemDescriptor => ({
  version,
  deleted: false,
  serializedItem: body(key, version),
});

/** Pins every thread of `pid` to `cpu`; false when taskset is missing. */
function pin(pid: number, cpu: number): boolean {
  try {
    execFileSync('taskset', ['-a', '-pc', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n < 1 ? n.toFixed(3) : n.toFixed(2));
const cell = (s: Sample) => `${fmt(s.opsPerSecond)} (${ms(s.p50Ms)} / ${ms(s.p99Ms)})`;

it('benchmarks the Redis driver', async () => {
  const server = await startRedisServer();
  const pinned = cpus().length >= 2 && pin(process.pid, 0) && pin(server.pid, 1);
  const raw = new Redis({ host: server.host, port: server.port });
  const store = createRedisDriver({ url: server.url, prefix: 'bench' });
  const ldStore: LDFeatureStore = RedisFeatureStore({
    prefix: 'bench',
    cacheTTL: 0,
    redisOpts: { host: server.host, port: server.port },
  })({
    basicConfiguration: { logger: { error() {}, warn() {}, info() {}, debug() {} } },
  } as unknown as LDClientContext);
  const ld = {
    get: (kind: string, key: string) =>
      new Promise((resolve) => ldStore.get(ldKind(kind), key, resolve)),
    all: (kind: string) => new Promise((resolve) => ldStore.all(ldKind(kind), resolve)),
    upsert: (kind: string, key: string, version: number) =>
      new Promise<void>((resolve) =>
        ldStore.upsert(
          ldKind(kind),
          JSON.parse(body(key, version)) as Parameters<LDFeatureStore['upsert']>[1],
          () => resolve(),
        ),
      ),
    init: (data: Record<string, Record<string, unknown>>) =>
      new Promise<void>((resolve) => ldStore.init(data as never, () => resolve())),
  };
  const rows: string[] = [];
  const report = (
    name: string,
    subject: Sample,
    baseline: Sample,
    target: string,
    launchDarkly?: Sample,
  ) => {
    const ratio = subject.opsPerSecond / baseline.opsPerSecond;
    rows.push(
      `| ${name} | ${cell(subject)} | ${cell(baseline)} | **${ratio.toFixed(2)}x** | ${target} | ${launchDarkly === undefined ? '-' : cell(launchDarkly)} |`,
    );
  };

  /** RUNS rounds of every contender, in rotating order, medians per contender. */
  async function compare(
    contenders: ReadonlyArray<(run: number) => Promise<Sample>>,
  ): Promise<Sample[]> {
    const samples: Sample[][] = contenders.map(() => []);
    for (let run = 0; run < RUNS; run++) {
      for (let j = 0; j < contenders.length; j++) {
        const index = (run + j) % contenders.length;
        samples[index]?.push(await (contenders[index] as (run: number) => Promise<Sample>)(run));
      }
    }
    return samples.map(medianSample);
  }

  try {
    // Data: 1,000 items to read one by one or all at once, and a kind of 10,000.
    const items = (prefix: string, count: number) =>
      Array.from({ length: count }, (_, i) => {
        const key = `${prefix}-${String(i).padStart(5, '0')}`;
        return [key, descriptor(key, 1)] as const;
      });
    const small = items('flag', 1000);
    const big = items('big', 10_000);
    await store.init([
      { kind: features, items: small },
      { kind: large, items: big },
    ]);
    const smallKeys = small.map(([key]) => key);
    const keyAt = (i: number) => smallKeys[(i * 7919) % smallKeys.length] as string;

    // get: one item, HGET + JSON.parse for raw ioredis.
    for (const [count, inFlight] of [
      [n(10_000), 1],
      [n(50_000), 100],
    ] as const) {
      const [ours, theirs, launchDarkly] = await compare([
        () => measure(count, inFlight, (i) => store.get(features, keyAt(i))),
        () =>
          measure(count, inFlight, async (i) => {
            const value = await raw.hget('bench:features', keyAt(i));
            return value === null ? undefined : JSON.parse(value);
          }),
        () => measure(count, inFlight, (i) => ld.get('features', keyAt(i))),
      ]);
      report(`get, ${inFlight} in flight`, ours!, theirs!, '≥ 0.9x', launchDarkly);
    }

    // getAll: HGETALL + JSON.parse of every value into a Map for raw ioredis.
    for (const [kind, count] of [
      [features, n(200)],
      [large, n(20)],
    ] as const) {
      const hash = `bench:${kind.namespace}`;
      const [ours, theirs, launchDarkly] = await compare([
        () => measure(count, 1, () => store.getAll(kind)),
        () =>
          measure(count, 1, async () => {
            const all = await raw.hgetall(hash);
            const map = new Map<string, unknown>();
            for (const key of Object.keys(all)) map.set(key, JSON.parse(all[key] as string));
            return map;
          }),
        () => measure(count, 1, () => ld.all(kind.namespace)),
      ]);
      const size = kind === features ? '1,000' : '10,000';
      report(`getAll, ${size} items`, ours!, theirs!, '≥ 0.9x', launchDarkly);
    }

    // upsert: the compare-and-set script through the driver vs the same script through raw
    // ioredis (EVALSHA with the same arguments). Versions only grow, so writes apply unless two
    // in flight on one key cross.
    const sha = (await raw.script('LOAD', COMPARE_AND_SET_LUA)) as string;
    let version = 1;
    for (const [count, inFlight, keys] of [
      [n(10_000), 1, 100],
      [n(40_000), 100, 1000],
    ] as const) {
      const [ours, theirs, launchDarkly] = await compare([
        () => {
          const base = version;
          version += count;
          return measure(count, inFlight, (i) => {
            const key = `w-${i % keys}`;
            return store.upsert(writes, key, descriptor(key, base + i));
          });
        },
        () => {
          const base = version;
          version += count;
          return measure(count, inFlight, (i) => {
            const key = `w-${i % keys}`;
            const { serializedItem } = descriptor(key, base + i);
            return raw.evalsha(sha, 1, 'bench:features', key, serializedItem!, String(base + i));
          });
        },
        () => {
          const base = version;
          version += count;
          // Its updates run one at a time (an internal queue), so fewer calls keep the run short.
          return measure(count / 10, inFlight, (i) =>
            ld.upsert('features', `w-${i % keys}`, base + i),
          );
        },
      ]);
      const target = inFlight === 1 ? '-' : '≥ 0.5x';
      report(`upsert, ${inFlight} in flight`, ours!, theirs!, target, launchDarkly);
    }
    // Every key ends at the highest version written to it: no update lost, none lower left.
    const final = await store.getAll(writes);
    expect([...final.keys()].filter((key) => key.startsWith('w-'))).toHaveLength(1000);

    // 16 writers on one key, versions in shuffled order: the highest must win, every rejection
    // must report a version at least as high as the one refused.
    {
      const count = n(8000);
      const order = Array.from({ length: count }, (_, i) => i).sort(
        (a, b) => ((a * 2654435761) % 4096) - ((b * 2654435761) % 4096),
      );
      const check = (base: number, results: Array<{ applied: boolean; current?: number }>) => {
        results.forEach((result, i) => {
          if (!result.applied) expect(result.current).toBeGreaterThanOrEqual(base + order[i]!);
        });
      };
      const [ours, theirs] = await compare([
        async () => {
          const base = version;
          version += count;
          const results: Array<{ applied: boolean; current?: number }> = [];
          const sample = await measure(count, 16, async (i) => {
            const v = base + order[i]!;
            const r = await store.upsert(writes, 'hot', descriptor('hot', v));
            results[i] = {
              applied: r.applied,
              ...(r.current ? { current: r.current.version } : {}),
            };
          });
          check(base, results);
          expect((await store.get(writes, 'hot'))?.version).toBe(base + count - 1);
          return sample;
        },
        async () => {
          const base = version;
          version += count;
          const results: Array<{ applied: boolean; current?: number }> = [];
          const sample = await measure(count, 16, async (i) => {
            const v = base + order[i]!;
            const reply = await raw.evalsha(
              sha,
              1,
              'bench:features',
              'hot',
              body('hot', v),
              String(v),
            );
            results[i] =
              typeof reply === 'string'
                ? { applied: false, current: (JSON.parse(reply) as { version: number }).version }
                : { applied: true };
          });
          check(base, results);
          return sample;
        },
      ]);
      report('upsert, 16 writers on one key', ours!, theirs!, '≥ 0.5x');
    }

    // init: 10,000 items of ~500 bytes. Raw: MULTI, DEL, one HSET of every pair, SET, EXEC.
    {
      const initItems = items('init', 10_000);
      const ldData = {
        features: Object.fromEntries(initItems.map(([k, d]) => [k, JSON.parse(d.serializedItem!)])),
      };
      const [ours, theirs, launchDarkly] = await compare([
        () => measure(n(10), 1, () => store.init([{ kind: features, items: initItems }])),
        () =>
          measure(n(10), 1, () => {
            const pairs: string[] = [];
            for (const [key, d] of initItems) pairs.push(key, d.serializedItem!);
            return raw
              .multi()
              .del('bench:features')
              .hset('bench:features', ...pairs)
              .set('bench:$inited', '')
              .exec();
          }),
        () => measure(n(10), 1, () => ld.init(ldData)),
      ]);
      report('init, 10,000 items', ours!, theirs!, '≥ 0.8x', launchDarkly);
    }
  } finally {
    await store.close();
    ldStore.close();
    raw.disconnect();
    await server.stop();
  }

  console.log(
    [
      '',
      `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, ${new Date().toISOString().slice(0, 10)}`,
      pinned
        ? 'client pinned to CPU 0, redis-server to CPU 1 (taskset -a -pc)'
        : 'NOT pinned (taskset missing or a single CPU)',
      `${RUNS} alternating runs, medians; cells: ops/s (p50 ms / p99 ms)`,
      '',
      '| operation | Stowage | raw ioredis | ratio | target | LaunchDarkly store |',
      '|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
});
