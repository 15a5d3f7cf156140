import { cpus, loadavg } from 'node:os';
import type { DataStore } from '@stowage/core';
import { expect, it } from 'vitest';
import {
  drained,
  type Follower,
  flags,
  follow,
  keyOf,
  openInstance,
  type RunShape,
  reportOf,
  seed,
  waitForLiveFeed,
  wallNow,
  warm,
} from './feedProbe.js';
import { finishAll, withReaderProcesses } from './feedProcesses.js';
import { pin } from './fixtures.js';
import { type BenchMode, type Deployment, pinned, selectedModes } from './modes.js';

// Propagation through the change feed: 10 instances, each with its own driver (own connections)
// and an infinite-TTL cache; one of them writes 1,000 upserts a second (paced, open loop, round
// robin over 100 keys); every other instance follows its `changesOf` stream and, on each upsert
// event, `get`s the key from its cache until it answers that version. Measured per write and
// reader: from the writer's upsert resolving (acknowledged) to the reader's `get` answering the
// new version, on one wall clock (`performance.timeOrigin + performance.now()`). A reader that
// answers before the writer's own acknowledgement arrived counts 0. Also reported: from the
// acknowledgement to the event alone reaching the reader (the rest is the reader's `get`, a miss
// when the cache dropped the entry), and from the moment the upsert was called (the write's own
// round trip included). Per mode (BENCH_MODES), one run in one process, then one with the 9
// readers spread over 3 processes (writer + 3 readers here, 3 readers in each of 2 forked
// processes free to run on every CPU: they stand for other machines, and time-sliced on this
// process's CPU they would measure the scheduler).

const SECONDS = Number(process.env.BENCH_FEED_SECONDS ?? 5);
/**
 * Seconds of writes before the measured ones, left out of the latencies: in the first seconds
 * every process still compiles the paths of the feed, the cache and the benchmark, and the
 * latencies of that time are the JIT's (hundreds of milliseconds on a busy machine).
 */
const WARMUP_SECONDS = 2;
const RATE = 1000;
const INSTANCES = 10;
const KEYS = 100;
/** How long after the last acknowledgement readers may take before a write counts as missed. */
const DRAIN_MS = 3_000;

interface Propagation {
  readonly label: string;
  readonly fromAck: Float64Array;
  readonly fromCall: Float64Array;
  /** From the acknowledgement to the event reaching the reader's `changesOf`. */
  readonly eventFromAck: Float64Array;
  readonly beforeAck: number;
  /** Writes some reader never saw, warm-up included, of `slots` (readers x writes). */
  readonly missed: number;
  readonly slots: number;
  /** Writes of a new version the store refused: none is expected. */
  readonly refused: number;
  readonly staleReads: number;
  readonly resets: number;
  readonly writesPerSecond: number;
  /** CPU time this process used while the writes ran, per second of the run (1 = a whole core). */
  readonly cpuShare: number;
  /** The same for each forked reader process (from its `ready` to the end of the writes). */
  readonly readerCpuShares: ReadonlyArray<number>;
  /** The machine's 1-minute load average when the run began. */
  readonly load: number;
}

/** Writes `shape` through `writer` at RATE a second; per write, when it was called and acknowledged. */
async function pacedWrites(writer: DataStore, shape: RunShape) {
  const calledAt = new Float64Array(shape.total);
  const ackedAt = new Float64Array(shape.total);
  const pending: Promise<unknown>[] = [];
  let refused = 0;
  const started = wallNow();
  for (let issued = 0; issued < shape.total; ) {
    const due = Math.min(shape.total, Math.floor(((wallNow() - started) * RATE) / 1000) + 1);
    for (; issued < due; issued++) {
      const index = issued;
      const item = { key: keyOf(index, shape.keyCount), version: shape.firstVersion + index };
      calledAt[index] = wallNow();
      pending.push(
        writer.upsert(flags, { ...item, on: index % 2 === 0 }).then((result) => {
          ackedAt[index] = wallNow();
          if (!result.applied) refused++;
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  return { calledAt, ackedAt, refused, seconds: (wallNow() - started) / 1000 };
}

async function run(deployment: Deployment, label: string, processes: number): Promise<Propagation> {
  const prefix = `feed-${processes}p`;
  const shape: RunShape = {
    firstVersion: 2,
    total: (WARMUP_SECONDS + SECONDS) * RATE,
    keyCount: KEYS,
  };
  const measured = WARMUP_SECONDS * RATE;
  const remoteReaders = processes > 1 ? 3 : 0;
  const localReaders = INSTANCES - 1 - remoteReaders * (processes - 1);
  const writer = openInstance(deployment.storeOptions, prefix);
  const stores = Array.from({ length: localReaders }, () =>
    openInstance(deployment.storeOptions, prefix),
  );
  try {
    await seed(writer, KEYS);
    await Promise.all([writer, ...stores].map((store) => waitForLiveFeed(store)));
    await Promise.all(stores.map((store) => warm(store, KEYS)));
    return await withReaderProcesses(processes - 1, async (readers) => {
      await Promise.all(
        readers.map((reader) =>
          reader.request(
            {
              type: 'start',
              storeOptions: deployment.storeOptions,
              prefix,
              instances: remoteReaders,
              shape,
            },
            'ready',
          ),
        ),
      );
      const followers: Follower[] = stores.map((store) => follow(store, shape));
      const load = loadavg()[0] as number;
      const cpuBefore = process.cpuUsage();
      const writes = await pacedWrites(writer, shape);
      const cpu = process.cpuUsage(cpuBefore);
      await drained(followers, DRAIN_MS);
      const reports = [reportOf(followers), ...(await finishAll(readers, DRAIN_MS))];
      for (const f of followers) f.stop();
      const seen = reports.flatMap((report) => report.seenAt);
      return {
        label,
        fromAck: since(seen, writes.ackedAt, measured),
        fromCall: since(seen, writes.calledAt, measured),
        eventFromAck: since(
          reports.flatMap((report) => report.eventAt),
          writes.ackedAt,
          measured,
        ),
        beforeAck: seen.reduce(
          (sum, times) =>
            sum +
            times.filter((t, i) => i >= measured && t !== null && t < writes.ackedAt[i]!).length,
          0,
        ),
        missed: seen.reduce((sum, times) => sum + times.filter((t) => t === null).length, 0),
        slots: seen.length * shape.total,
        refused: writes.refused,
        staleReads: reports.reduce((sum, r) => sum + r.staleReads, 0),
        resets: reports.reduce((sum, r) => sum + r.resets, 0),
        writesPerSecond: shape.total / writes.seconds,
        cpuShare: (cpu.user + cpu.system) / 1e6 / writes.seconds,
        readerCpuShares: reports.flatMap((r) => (r.cpuShare === undefined ? [] : [r.cpuShare])),
        load,
      };
    });
  } finally {
    await Promise.all([writer, ...stores].map((store) => store.close()));
  }
}

/**
 * Per instance and write from index `from` on, milliseconds from `reference[write]` to the time
 * recorded (0 when it came first), sorted; writes never seen are left out (counted as missed).
 */
function since(
  times: ReadonlyArray<ReadonlyArray<number | null>>,
  reference: Float64Array,
  from: number,
): Float64Array {
  const spans: number[] = [];
  for (const perWrite of times) {
    perWrite.forEach((t, i) => {
      if (i >= from && t !== null) spans.push(Math.max(0, t - (reference[i] as number)));
    });
  }
  return Float64Array.from(spans).sort();
}

const at = (sorted: Float64Array, p: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number);
const ms = (value: number) => (Number.isNaN(value) ? '-' : value.toFixed(value < 10 ? 3 : 1));

async function benchmark(mode: BenchMode): Promise<void> {
  const deployment = await mode.start();
  const isPinned = cpus().length >= 2 && pinned(deployment, pin);
  const results: Propagation[] = [];
  try {
    results.push(await run(deployment, '1 process', 1));
    results.push(await run(deployment, '3 processes', 3));
  } finally {
    await deployment.stop();
  }
  const rows = results.map((r) => {
    const samples = r.fromAck.length;
    const cpu = [r.cpuShare, ...r.readerCpuShares].map((share) => `${Math.round(share * 100)}%`);
    return `| ${r.label} | ${r.load.toFixed(1)} | ${Math.round(r.writesPerSecond)} | ${cpu.join(' / ')} | **${ms(at(r.fromAck, 0.5))}** | ${ms(at(r.fromAck, 0.9))} | **${ms(at(r.fromAck, 0.99))}** | ${ms(at(r.fromAck, 1))} | ${ms(at(r.eventFromAck, 0.5))} / ${ms(at(r.eventFromAck, 0.99))} | ${ms(at(r.fromCall, 0.5))} / ${ms(at(r.fromCall, 0.99))} | ${((100 * r.beforeAck) / Math.max(1, samples)).toFixed(1)}% | ${r.staleReads} | ${r.resets} | ${r.missed} of ${r.slots} |`;
  });
  console.log(
    [
      '',
      `### change-feed propagation, ${mode.name}: ${mode.description}`,
      '',
      `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, ${new Date().toISOString().slice(0, 10)}`,
      isPinned
        ? 'this process pinned to CPU 0, every server process to CPU 1 (taskset -a -pc); the 2 forked reader processes on any CPU'
        : 'NOT pinned (taskset missing or a single CPU)',
      `${INSTANCES} instances (1 writer, ${INSTANCES - 1} readers), infinite TTL, ${RATE} upserts/s over ${KEYS} keys for ${WARMUP_SECONDS} s (warm-up, not counted) + ${SECONDS} s (measured); one run each`,
      'load: 1-minute load average at the start; CPU: CPU time per second of the run of this process (writer and its readers), then of each forked reader process',
      'latency per write and reader, ms: writer upsert acknowledged -> reader cached get answers that version (0 if before the ack); target p50 <= 1, p99 <= 5',
      '',
      '| run | load | writes/s | CPU | p50 | p90 | p99 | max | event only p50 / p99 | from call p50 / p99 | seen before ack | stale or failed gets | resets | missed |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
  for (const r of results) {
    expect(r.missed, `${r.label}: writes never seen`).toBe(0);
    expect(r.refused, `${r.label}: writes of a new version refused`).toBe(0);
  }
}

for (const mode of selectedModes()) {
  it(`benchmarks change-feed propagation: ${mode.name}`, () => benchmark(mode));
}
