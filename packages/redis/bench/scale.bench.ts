import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { DataKind } from '@stowage/core';
import { createRedisDriver } from '@stowage/redis';
import { expect, it } from 'vitest';
import { items, pin, RUNS } from './fixtures.js';
import { gc, median } from './measure.js';
import { modeNamed, pinned } from './modes.js';
import { rawGetAll, rawInit } from './raw.js';

// A kind of 100,000 items of ~500 bytes beside one of 10,000: `init` and `getAll` of the bigger one
// should cost at most ~11x the smaller, and no call may hold the event loop for more than 50 ms
// (per-item work runs in slices that yield), except ioredis's own parse of one HGETALL reply:
// measured alone as a raw `HGETALL` that touches no value. Raw ioredis does the same Redis work in
// the same run (`init`: MULTI, DEL, HSETs of 1,000 pairs, SET, EXEC; `getAll`: HGETALL and
// `JSON.parse` of every value). Standalone server, pinned like redis.bench.ts.

const SIZES = [10_000, 100_000] as const;
/** HSET pairs per command of the raw `init`, as the driver sends them (one HSET of 200,000 arguments would not spread). */
const PAIRS_PER_HSET = 1000;

interface Timing {
  readonly ms: number;
  /** The longest the event loop waited for a turn during any of the calls. */
  readonly maxDelayMs: number;
}

/** Runs `op` RUNS times one after another: the median time per call, and the longest delay. */
async function timed(op: () => Promise<unknown>): Promise<Timing> {
  const times: number[] = [];
  let maxDelayMs = 0;
  for (let run = 0; run < RUNS; run++) {
    gc();
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    // The histogram's first tick only starts its clock: a block before it would go unrecorded.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const started = performance.now();
    await op();
    times.push(performance.now() - started);
    // A turn of the event loop, so that a block at the very end of the call is recorded too.
    await new Promise((resolve) => setTimeout(resolve, 10));
    delay.disable();
    maxDelayMs = Math.max(maxDelayMs, delay.max / 1e6);
  }
  return { ms: median(times), maxDelayMs };
}

const ms = (value: number) => value.toFixed(value < 10 ? 2 : 0);

it('benchmarks init and getAll of 100,000 items beside 10,000', async () => {
  const deployment = await modeNamed('standalone').start();
  const isPinned = cpus().length >= 2 && pinned(deployment, pin);
  // A reply of 50 MB takes longer than the default command timeout on a slow or busy machine.
  const store = createRedisDriver({
    ...deployment.storeOptions,
    prefix: 'scale',
    commandTimeoutMs: 60_000,
  });
  const raw = deployment.createRaw();
  const results = new Map<string, Timing[]>();
  const record = (name: string, timing: Timing) =>
    results.set(name, [...(results.get(name) ?? []), timing]);
  try {
    for (const size of SIZES) {
      const kind: DataKind = { namespace: `items-${size}` };
      const hash = `scale:${kind.namespace}`;
      const data = items('item', size);
      record('init', await timed(() => store.init([{ kind, items: data }])));
      record(
        'raw init',
        await timed(() => rawInit(raw, hash, 'scale:$inited', data, PAIRS_PER_HSET)),
      );
      const all = await store.getAll(kind);
      expect(all.size).toBe(size);
      record('getAll', await timed(() => store.getAll(kind)));
      record('raw getAll', await timed(() => rawGetAll(raw, hash)));
      // Under another spelling than `hgetall`, ioredis hands the reply over as the flat array it
      // parsed, as the driver takes it: this is the client's own work on one reply.
      record('raw HGETALL alone', await timed(() => raw.call('HGETALL', hash)));
    }
  } finally {
    await store.close();
    raw.disconnect();
    await deployment.stop();
  }

  const rows = [...results].map(([name, [small, big]]) => {
    const s = small as Timing;
    const b = big as Timing;
    const target = name === 'init' || name === 'getAll' ? '≤ 11x; ≤ 50 ms' : '(reference)';
    return `| ${name} | ${ms(s.ms)} (${ms(s.maxDelayMs)}) | ${ms(b.ms)} (${ms(b.maxDelayMs)}) | **${(b.ms / s.ms).toFixed(1)}x** | ${target} |`;
  });
  console.log(
    [
      '',
      '### scale: 100,000 items of ~500 bytes beside 10,000 (standalone)',
      '',
      `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, ${new Date().toISOString().slice(0, 10)}`,
      isPinned
        ? 'client pinned to CPU 0, the server to CPU 1 (taskset -a -pc)'
        : 'NOT pinned (taskset missing or a single CPU)',
      `${RUNS} runs each, medians; cells: ms per call (longest event-loop delay in ms during the calls)`,
      '',
      '| operation | 10,000 items | 100,000 items | 100k ÷ 10k | target |',
      '|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
});
