import {
  CachingDataStore,
  type DataStore,
  defineKind,
  jsonItemCodec,
  type VersionedItem,
  wrapDriver,
} from '@stowage/core';
import { createMemoryBackend, createMemoryDriver } from '@stowage/memory';
import { expect, it } from 'vitest';

// Cache-hit throughput, miss-path overhead and cache memory, each next to a baseline run in the
// same process; medians of several alternating runs. Figures go into packages/core/README.md.
interface Flag extends VersionedItem {
  readonly on: boolean;
  readonly salt: string;
  readonly variations: ReadonlyArray<boolean>;
  readonly targets: ReadonlyArray<{ values: string[]; variation: number }>;
  readonly rules: ReadonlyArray<{ id: string; clauses: object[]; variation: number }>;
  readonly description: string;
}

const flags = defineKind<Flag>('features');
const codec = jsonItemCodec<Flag>();
const RUNS = 7;

function flag(i: number): Flag {
  return {
    key: `flag-${String(i).padStart(6, '0')}`,
    version: (i % 17) + 1,
    on: i % 2 === 0,
    salt: (i * 2_654_435_761).toString(36),
    variations: [true, false],
    targets: [{ values: [`user-${i}-a`, `user-${i}-b`], variation: 0 }],
    rules: [
      {
        id: `rule-${i}`,
        clauses: [{ attribute: 'email', op: 'endsWith', values: ['@example.com'], negate: false }],
        variation: 1,
      },
    ],
    description: `${'A flag that gates a feature for a slice of users. '.repeat(4)}#${i}`,
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

async function filledBackend(count: number) {
  const backend = createMemoryBackend();
  const driver = createMemoryDriver({ prefix: 'bench', backend });
  const items = Array.from({ length: count }, (_, i) => flag(i));
  await driver.init([flags.items(items)]);
  return { backend, keys: items.map((item) => item.key) };
}

/** Operations per second of `op` over `ops` calls. */
async function rate(ops: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) await op(i);
  return ops / (Number(process.hrtime.bigint() - start) / 1e9);
}

const gc = () => {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
};

/** The heap retained by what `build` returns, in bytes. */
async function retained(build: () => Promise<unknown>): Promise<number> {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = await build();
  gc();
  const after = process.memoryUsage().heapUsed;
  expect(kept).toBeDefined(); // keeps `kept` alive until after the measurement
  return after - before;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const rows: string[] = [];
const report = (name: string, subject: string, baseline: string, ratio: number, target: string) =>
  rows.push(`| ${name} | ${subject} | ${baseline} | ${ratio.toFixed(2)}x | ${target} |`);

it('benchmarks the cache', async () => {
  expect(typeof (globalThis as { gc?: unknown }).gc).toBe('function');

  // 1. Cache hits through the typed store vs an awaited async Map lookup of the same objects.
  {
    const HITS = 1_000_000;
    const { backend, keys } = await filledBackend(1_000);
    const finite = wrapDriver(createMemoryDriver({ prefix: 'bench', backend }), {
      cache: { ttl: '1h' },
    });
    const infinite = wrapDriver(createMemoryDriver({ prefix: 'bench', backend }), {
      cache: { ttl: 'infinite' },
    });
    const map = new Map<string, unknown>();
    for (const key of keys) {
      map.set(key, await finite.get(flags, key));
      await infinite.get(flags, key);
    }
    const lookup = async (key: string) => map.get(key);
    const n = keys.length;
    const base: number[] = [];
    const hitsFinite: number[] = [];
    const hitsInfinite: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      base.push(await rate(HITS, (i) => lookup(keys[i % n] as string)));
      hitsFinite.push(await rate(HITS, (i) => finite.get(flags, keys[i % n] as string)));
      hitsInfinite.push(await rate(HITS, (i) => infinite.get(flags, keys[i % n] as string)));
    }
    const b = median(base);
    report(
      'cache-hit `get`, TTL 1h (ops/s)',
      fmt(median(hitsFinite)),
      fmt(b),
      median(hitsFinite) / b,
      '≥ 0.5x',
    );
    report(
      'cache-hit `get`, infinite TTL (ops/s)',
      fmt(median(hitsInfinite)),
      fmt(b),
      median(hitsInfinite) / b,
      '≥ 0.5x',
    );
    await finite.close();
    await infinite.close();
  }

  // 2. Misses: every read goes to the driver. Baseline: the bare driver (plus, for the typed
  // store, the JSON.parse an app would do itself).
  {
    const COUNT = 50_000;
    const { backend, keys } = await filledBackend(COUNT);
    const driver = createMemoryDriver({ prefix: 'bench', backend });
    const bare: number[] = [];
    const bareParsed: number[] = [];
    const handRolled: number[] = [];
    const rawMiss: number[] = [];
    const typedMiss: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      bare.push(await rate(COUNT, (i) => driver.get(flags, keys[i] as string)));
      bareParsed.push(
        await rate(COUNT, async (i) => {
          const d = await driver.get(flags, keys[i] as string);
          return d?.serializedItem === undefined ? undefined : codec.deserialize(d.serializedItem);
        }),
      );
      const kept = new Map<string, unknown>();
      handRolled.push(
        await rate(COUNT, async (i) => {
          const d = await driver.get(flags, keys[i] as string);
          if (d?.serializedItem !== undefined) {
            kept.set(keys[i] as string, codec.deserialize(d.serializedItem));
          }
        }),
      );
      const raw = new CachingDataStore(createMemoryDriver({ prefix: 'bench', backend }), {
        ttl: '1h',
      });
      rawMiss.push(await rate(COUNT, (i) => raw.get(flags, keys[i] as string)));
      const typed: DataStore = wrapDriver(createMemoryDriver({ prefix: 'bench', backend }), {
        cache: { ttl: '1h' },
      });
      typedMiss.push(await rate(COUNT, (i) => typed.get(flags, keys[i] as string)));
      await raw.close();
      await typed.close();
    }
    const overhead = (subject: number, base: number) => base / subject;
    const extraMicros = (subject: number, base: number) =>
      `+${((1 / subject - 1 / base) * 1e6).toFixed(1)} µs/call`;
    const [r, b, t, p, h] = [rawMiss, bare, typedMiss, bareParsed, handRolled].map(median) as [
      number,
      number,
      number,
      number,
      number,
    ];
    report(
      'miss, CachingDataStore.get vs memory driver.get (ops/s)',
      `${fmt(r)} (${extraMicros(r, b)})`,
      fmt(b),
      overhead(r, b),
      '< 1.10x time',
    );
    report(
      'miss, typed get vs driver.get + JSON.parse (ops/s)',
      `${fmt(t)} (${extraMicros(t, p)})`,
      fmt(p),
      overhead(t, p),
      '< 1.10x time',
    );
    report(
      'miss, typed get vs driver.get + JSON.parse + Map.set (ops/s)',
      `${fmt(t)} (${extraMicros(t, h)})`,
      fmt(h),
      overhead(t, h),
      '(reference)',
    );
  }

  // 3. Memory held by 100,000 cached items of ~500 bytes vs a Map of the same parsed objects.
  {
    const COUNT = 100_000;
    const { backend, keys } = await filledBackend(COUNT);
    const bodies = keys.map(
      (key) => backend.prefixData('bench').kinds.get('features')?.get(key)?.stored as string,
    );
    const size = bodies.reduce((sum, body) => sum + body.length, 0) / COUNT;
    const cacheBytes: number[] = [];
    const mapBytes: number[] = [];
    for (let run = 0; run < 5; run++) {
      mapBytes.push(
        await retained(async () => {
          const map = new Map<string, unknown>();
          for (let i = 0; i < COUNT; i++)
            map.set(keys[i] as string, JSON.parse(bodies[i] as string));
          return map;
        }),
      );
      cacheBytes.push(
        await retained(async () => {
          const store = wrapDriver(createMemoryDriver({ prefix: 'bench', backend }), {
            cache: { ttl: 'infinite' },
          });
          for (const key of keys) await store.get(flags, key);
          return store;
        }),
      );
    }
    const c = median(cacheBytes) / COUNT;
    const m = median(mapBytes) / COUNT;
    report(
      `heap per cached item (${Math.round(size)}-byte items, bytes)`,
      fmt(c),
      fmt(m),
      c / m,
      '≤ 1.6x',
    );
  }

  console.log(
    [
      '',
      `Node ${process.version}, ${RUNS} runs (heap: 5), medians`,
      '| measure | Stowage | baseline | ratio | target |',
      '|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
});
