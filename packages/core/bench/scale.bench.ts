import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  CachingDataStore,
  type DataKind,
  defineKind,
  type FullDataSet,
  type KindData,
  type PersistentDataStore,
  type SerializedItemDescriptor,
  type VersionedItem,
  wrapDriver,
} from '@stowage/core';
import { validateFullDataSetYielding } from '@stowage/core/driver';
import { createMemoryBackend, createMemoryDriver } from '@stowage/memory';
import { expect, it } from 'vitest';

// Whole-kind calls at 10,000 and 100,000 items of ~500 bytes: time per call, how 100k scales
// against 10k (target: at most ~11x), and the longest the event loop was held during the call
// (monitorEventLoopDelay, target: under 50 ms; on a busy machine it also counts the time the CPU
// was taken away, so the CPU time used between two turns is measured too). Over the memory driver (the whole call, the
// driver's own work included) and over a driver that does no per-item work (core's work alone).

interface Flag extends VersionedItem {
  readonly on: boolean;
  readonly variations: ReadonlyArray<boolean>;
  readonly targets: ReadonlyArray<{ values: string[]; variation: number }>;
  readonly description: string;
}

const flags = defineKind<Flag>('features');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIZES = [10_000, 100_000] as const;

function flagsOf(count: number): Flag[] {
  return Array.from({ length: count }, (_, i) => {
    const key = `flag-${String(i).padStart(6, '0')}`;
    const base = {
      key,
      version: 1,
      on: i % 2 === 0,
      variations: [true, false],
      targets: [{ values: [`user-${key}-a`, `user-${key}-b`], variation: 0 }],
      description: '',
    };
    return { ...base, description: 'x'.repeat(Math.max(0, 500 - JSON.stringify(base).length)) };
  });
}

/** A driver that answers at once from prepared data, doing no per-item work of its own. */
function idleDriver(data: KindData): PersistentDataStore {
  const answer = new Map<string, SerializedItemDescriptor>(data.items);
  return {
    init: async () => {},
    get: async (_kind, key) => answer.get(key),
    getAll: async () => answer,
    upsert: async () => ({ applied: true }),
    isInitialized: async () => true,
    isAvailable: async () => true,
    close: async () => {},
  };
}

interface Sample {
  readonly ms: number;
  readonly maxDelayMs: number;
  readonly maxStretchMs: number;
}

/**
 * The most CPU time the process used between two turns of the event loop. Unlike the delay,
 * it does not grow when the machine is busy with other work and takes the CPU away.
 */
function cpuStretches(): () => number {
  let last = process.cpuUsage();
  let longest = 0;
  let running = true;
  const turn = () => {
    const now = process.cpuUsage();
    longest = Math.max(longest, (now.user - last.user + now.system - last.system) / 1_000);
    last = now;
    if (running) setImmediate(turn);
  };
  setImmediate(turn);
  return () => {
    running = false;
    return longest;
  };
}

async function measure(call: () => Promise<unknown>): Promise<Sample> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const stopStretches = cpuStretches();
  const start = performance.now();
  await call();
  const ms = performance.now() - start;
  // The delay of a turn is recorded when the next timer runs: give it one.
  await new Promise((resolve) => setTimeout(resolve, 5));
  histogram.disable();
  return { ms, maxDelayMs: histogram.max / 1e6, maxStretchMs: stopStretches() };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

type Scenario = readonly [
  name: string,
  prepare: (data: KindData) => Promise<() => Promise<unknown>>,
];

const memoryStore = async (data: KindData, ttl: string | number) => {
  const backend = createMemoryBackend();
  await createMemoryDriver({ prefix: 'scale', backend }).init([data]);
  return {
    backend,
    store: wrapDriver(createMemoryDriver({ prefix: 'scale', backend }), { cache: { ttl } }),
  };
};

const scenarios: ReadonlyArray<Scenario> = [
  [
    'typed `init` (memory driver)',
    async (data) => {
      const store = wrapDriver(createMemoryDriver({ prefix: 'scale' }), { cache: { ttl: '1h' } });
      return () => store.init([data]);
    },
  ],
  [
    'typed `all()`, miss (memory driver)',
    async (data) => {
      const { store } = await memoryStore(data, '1h');
      return () => store.all(flags);
    },
  ],
  [
    'typed `all()`, hit (memory driver)',
    async (data) => {
      const { store } = await memoryStore(data, '1h');
      await store.all(flags);
      return () => store.all(flags);
    },
  ],
  [
    'typed `all()`, TTL 0 (memory driver)',
    async (data) => {
      const { store } = await memoryStore(data, 0);
      return () => store.all(flags);
    },
  ],
  [
    '`CachingDataStore.getAll`, miss (memory driver)',
    async (data) => {
      const { backend } = await memoryStore(data, 0);
      const cache = new CachingDataStore(createMemoryDriver({ prefix: 'scale', backend }), {
        ttl: '1h',
      });
      return () => cache.getAll(flags as DataKind);
    },
  ],
  [
    'typed `init`, core alone (idle driver)',
    async (data) => {
      const store = wrapDriver(idleDriver(data), { cache: { ttl: '1h' } });
      return () => store.init([data]);
    },
  ],
  [
    'typed `all()`, miss, core alone (idle driver)',
    async (data) => {
      const store = wrapDriver(idleDriver(data), { cache: { ttl: '1h' } });
      return () => store.all(flags);
    },
  ],
  [
    '`validateFullDataSetYielding`',
    async (data) => {
      const set: FullDataSet = [data];
      return () => validateFullDataSetYielding(set);
    },
  ],
];

it('measures whole-kind calls at 10k and 100k items', async () => {
  const data = new Map(SIZES.map((size) => [size, flags.items(flagsOf(size))] as const));
  const rows: string[] = [];
  for (const [name, prepare] of scenarios) {
    const results = new Map<number, Sample[]>();
    for (let run = 0; run < RUNS; run++) {
      for (const size of SIZES) {
        const call = await prepare(data.get(size) as KindData);
        (globalThis as { gc?: () => void }).gc?.();
        const samples = results.get(size) ?? [];
        samples.push(await measure(call));
        results.set(size, samples);
      }
    }
    const small = results.get(SIZES[0]) as Sample[];
    const large = results.get(SIZES[1]) as Sample[];
    const [smallMs, largeMs] = [small, large].map((s) => median(s.map((x) => x.ms))) as [
      number,
      number,
    ];
    const delays = large.map((s) => s.maxDelayMs);
    const stretches = large.map((s) => s.maxStretchMs);
    rows.push(
      `| ${name} | ${smallMs.toFixed(1)} | ${largeMs.toFixed(1)} | ${(largeMs / smallMs).toFixed(1)}x | ${median(delays).toFixed(0)} / ${Math.max(...delays).toFixed(0)} | ${median(stretches).toFixed(0)} / ${Math.max(...stretches).toFixed(0)} |`,
    );
  }
  expect(rows).toHaveLength(scenarios.length);
  console.log(
    [
      '',
      `Node ${process.version}, ${RUNS} runs, medians; items of ~500 bytes`,
      '| call | 10k: ms | 100k: ms | 100k / 10k | 100k: longest event-loop delay, ms (median / worst) | 100k: most CPU between two turns, ms (median / worst) |',
      '|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
});
