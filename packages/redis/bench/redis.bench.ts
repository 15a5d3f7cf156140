import { cpus } from 'node:os';
import type { interfaces, LDClientContext, LDFeatureStore } from '@launchdarkly/node-server-sdk';
import { type LDRedisOptions, RedisFeatureStore } from '@launchdarkly/node-server-sdk-redis';
import type { DataKind } from '@stowage/core';
import { upsertMessage } from '@stowage/core/driver';
import { createRedisDriver } from '@stowage/redis';
import { expect, it } from 'vitest';
import { changeChannel } from '../src/feed/changeChannel.js';
import { COMPARE_AND_SET_LUA } from '../src/upsert/compareAndSetScript.js';
import { body, cell, compare, descriptor, items, n, pin, RUNS } from './fixtures.js';
import { measure, type Sample } from './measure.js';
import { type BenchMode, type Deployment, loadScript, pinned, selectedModes } from './modes.js';
import { rawGetAll, rawInit } from './raw.js';

// Throughput and latency of the driver against real redis-servers, each next to raw ioredis doing
// the same Redis work in the same run (the ratio is the figure), and beside LaunchDarkly's Redis
// store where it does the same operation. Medians of RUNS alternating runs, one table per mode
// (BENCH_MODES=standalone,sentinel,cluster). The figures go into BENCHMARKS.md at the root.

const features: DataKind = { namespace: 'features' };
// LaunchDarkly's store knows only its own two kinds, so the benchmark uses those names.
const large: DataKind = { namespace: 'segments' };
const writes = features;
const ldKind = (namespace: string): interfaces.DataKind => ({ namespace });
const PREFIX = 'bench';

type UpsertReply = { applied: boolean; current?: number };

/** LaunchDarkly's store behind promises, or undefined where the mode does not measure it. */
function launchDarklyStore(deployment: Deployment) {
  const redisOpts = deployment.launchDarklyRedisOptions;
  if (redisOpts === undefined) return undefined;
  const store: LDFeatureStore = RedisFeatureStore({
    prefix: PREFIX,
    cacheTTL: 0,
    redisOpts: redisOpts as NonNullable<LDRedisOptions['redisOpts']>,
  })({
    basicConfiguration: { logger: { error() {}, warn() {}, info() {}, debug() {} } },
  } as unknown as LDClientContext);
  return {
    get: (kind: string, key: string) =>
      new Promise((resolve) => store.get(ldKind(kind), key, resolve)),
    all: (kind: string) => new Promise((resolve) => store.all(ldKind(kind), resolve)),
    upsert: (kind: string, key: string, version: number) =>
      new Promise<void>((resolve) =>
        store.upsert(
          ldKind(kind),
          JSON.parse(body(key, version)) as Parameters<LDFeatureStore['upsert']>[1],
          () => resolve(),
        ),
      ),
    init: (data: Record<string, Record<string, unknown>>) =>
      new Promise<void>((resolve) => store.init(data as never, () => resolve())),
    close: () => store.close(),
  };
}

async function benchmark(mode: BenchMode): Promise<void> {
  const deployment = await mode.start();
  const isPinned = cpus().length >= 2 && pinned(deployment, pin);
  const raw = deployment.createRaw();
  const store = createRedisDriver({ ...deployment.storeOptions, prefix: PREFIX });
  const ld = launchDarklyStore(deployment);
  const rawKey = (kind: DataKind) => `${deployment.rawPrefix(PREFIX)}:${kind.namespace}`;
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
  /** The contenders, LaunchDarkly's last when this mode measures it. */
  const withLd = (
    contenders: Array<() => Promise<Sample>>,
    launchDarkly: (() => Promise<Sample>) | undefined,
  ) =>
    ld === undefined || launchDarkly === undefined ? contenders : [...contenders, launchDarkly];

  try {
    expect(store.effectivePrefix).toBe(deployment.rawPrefix(PREFIX));
    // Data: 1,000 items to read one by one or all at once, and a kind of 10,000.
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
      const hash = rawKey(features);
      const [ours, theirs, launchDarkly] = await compare(
        withLd(
          [
            () => measure(count, inFlight, (i) => store.get(features, keyAt(i))),
            () =>
              measure(count, inFlight, async (i) => {
                const value = await raw.hget(hash, keyAt(i));
                return value === null ? undefined : JSON.parse(value);
              }),
          ],
          () => measure(count, inFlight, (i) => ld!.get('features', keyAt(i))),
        ),
      );
      report(`get, ${inFlight} in flight`, ours!, theirs!, '≥ 0.9x', launchDarkly);
    }

    // getAll: HGETALL + JSON.parse of every value for raw ioredis (see rawGetAll).
    for (const [kind, count] of [
      [features, n(200)],
      [large, n(20)],
    ] as const) {
      const hash = rawKey(kind);
      const [ours, theirs, launchDarkly] = await compare(
        withLd(
          [
            () => measure(count, 1, () => store.getAll(kind)),
            () => measure(count, 1, () => rawGetAll(raw, hash)),
          ],
          () => measure(count, 1, () => ld!.all(kind.namespace)),
        ),
      );
      const size = kind === features ? '1,000' : '10,000';
      report(`getAll, ${size} items`, ours!, theirs!, '≥ 0.9x', launchDarkly);
    }

    // upsert: the compare-and-set script through the driver vs the same script through raw
    // ioredis (EVALSHA with the same arguments, announcing on the same channel with the same
    // message). Versions only grow, so every key must end at the highest version written to it
    // (no update lost, none lower left current).
    const sha = await loadScript(raw, COMPARE_AND_SET_LUA);
    const hash = rawKey(writes);
    const channel = changeChannel(deployment.rawPrefix(PREFIX));
    const cas = (key: string, v: number) =>
      raw.evalsha(sha, 1, hash, key, body(key, v), String(v), channel, announce(key, v));
    const announce = (key: string, v: number) =>
      upsertMessage('raw-ioredis', writes.namespace, key, v, false);
    const highest = new Map<string, number>();
    const wrote = (key: string, v: number) => {
      if ((highest.get(key) ?? -1) < v) highest.set(key, v);
    };
    let version = 1;
    for (const [count, inFlight, keys] of [
      [n(10_000), 1, 100],
      [n(40_000), 100, 1000],
    ] as const) {
      const [ours, theirs, launchDarkly] = await compare(
        withLd(
          [
            () => {
              const base = version;
              version += count;
              return measure(count, inFlight, (i) => {
                const key = `w-${i % keys}`;
                wrote(key, base + i);
                return store.upsert(writes, key, descriptor(key, base + i));
              });
            },
            () => {
              const base = version;
              version += count;
              return measure(count, inFlight, (i) => {
                const key = `w-${i % keys}`;
                wrote(key, base + i);
                return cas(key, base + i);
              });
            },
          ],
          () => {
            const base = version;
            version += count;
            // Its updates run one at a time (an internal queue), so fewer calls keep the run short.
            return measure(Math.max(1, Math.round(count / 10)), inFlight, (i) => {
              const key = `w-${i % keys}`;
              wrote(key, base + i);
              return ld!.upsert('features', key, base + i);
            });
          },
        ),
      );
      const target = inFlight === 1 ? '-' : '≥ 0.5x';
      report(`upsert, ${inFlight} in flight`, ours!, theirs!, target, launchDarkly);
    }
    const final = await store.getAll(writes);
    const behind = [...highest].filter(([key, v]) => final.get(key)?.version !== v);
    expect(behind, 'keys not at the highest version written').toEqual([]);
    expect(highest.size).toBe(Math.min(1000, n(40_000)));

    // 16 writers on one key, versions in shuffled order: the highest must win, every rejection
    // must report a version at least as high as the one refused.
    {
      const count = n(8000);
      const order = Array.from({ length: count }, (_, i) => i).sort(
        (a, b) => ((a * 2654435761) % 4096) - ((b * 2654435761) % 4096),
      );
      const writers = (upsert: (v: number) => Promise<UpsertReply>) => async () => {
        const base = version;
        version += count;
        const replies: UpsertReply[] = [];
        const sample = await measure(count, 16, async (i) => {
          replies[i] = await upsert(base + order[i]!);
        });
        replies.forEach((reply, i) => {
          if (!reply.applied) expect(reply.current).toBeGreaterThanOrEqual(base + order[i]!);
        });
        expect((await store.get(writes, 'hot'))?.version).toBe(base + count - 1);
        return sample;
      };
      const [ours, theirs] = await compare([
        writers(async (v) => {
          const r = await store.upsert(writes, 'hot', descriptor('hot', v));
          return { applied: r.applied, ...(r.current ? { current: r.current.version } : {}) };
        }),
        writers(async (v) => {
          const reply = await cas('hot', v);
          return typeof reply === 'string'
            ? { applied: false, current: (JSON.parse(reply) as { version: number }).version }
            : { applied: true };
        }),
      ]);
      report('upsert, 16 writers on one key', ours!, theirs!, '≥ 0.5x');
    }

    // init: 10,000 items of ~500 bytes. Raw: MULTI, DEL, one HSET of every pair, SET, EXEC.
    {
      const initItems = items('init', 10_000);
      const ldData = {
        features: Object.fromEntries(initItems.map(([k, d]) => [k, JSON.parse(d.serializedItem!)])),
      };
      const marker = `${deployment.rawPrefix(PREFIX)}:$inited`;
      const [ours, theirs, launchDarkly] = await compare(
        withLd(
          [
            () => measure(n(10), 1, () => store.init([{ kind: features, items: initItems }])),
            () => measure(n(10), 1, () => rawInit(raw, hash, marker, initItems)),
          ],
          () => measure(n(10), 1, () => ld!.init(ldData)),
        ),
      );
      report('init, 10,000 items', ours!, theirs!, '≥ 0.8x', launchDarkly);
    }
  } finally {
    await store.close();
    ld?.close();
    raw.disconnect();
    await deployment.stop();
  }

  console.log(
    [
      '',
      `### ${mode.name}: ${mode.description}`,
      '',
      `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, ${new Date().toISOString().slice(0, 10)}`,
      isPinned
        ? 'client pinned to CPU 0, every server process to CPU 1 (taskset -a -pc)'
        : 'NOT pinned (taskset missing or a single CPU)',
      `${RUNS} alternating runs, medians; cells: ops/s (p50 ms / p99 ms)`,
      '',
      '| operation | Stowage | raw ioredis | ratio | target | LaunchDarkly store |',
      '|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

for (const mode of selectedModes()) {
  it(`benchmarks the Redis driver: ${mode.name}`, () => benchmark(mode));
}
