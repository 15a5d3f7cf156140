import { cpus } from 'node:os';
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
// processes, pinned to the same CPU as this one).

const SECONDS = Number(process.env.BENCH_FEED_SECONDS ?? 5);
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
  readonly missed: number;
  readonly staleReads: number;
  readonly resets: number;
  readonly writesPerSecond: number;
}

/** Writes `shape` through `writer` at RATE a second; per write, when it was called and acknowledged. */
async function pacedWrites(writer: DataStore, shape: RunShape) {
  const calledAt = new Float64Array(shape.total);
  const ackedAt = new Float64Array(shape.total);
  const pending: Promise<unknown>[] = [];
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
          if (!result.applied) throw new Error(`write ${item.version} of ${item.key} rejected`);
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  return { calledAt, ackedAt, seconds: (wallNow() - started) / 1000 };
}

async function run(deployment: Deployment, label: string, processes: number): Promise<Propagation> {
  const prefix = `feed-${processes}p`;
  const shape: RunShape = { firstVersion: 2, total: SECONDS * RATE, keyCount: KEYS };
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
      const writes = await pacedWrites(writer, shape);
      await drained(followers, DRAIN_MS);
      const reports = [reportOf(followers), ...(await finishAll(readers, DRAIN_MS))];
      for (const f of followers) f.stop();
      const seen = reports.flatMap((report) => report.seenAt);
      return {
        label,
        fromAck: since(seen, writes.ackedAt),
        fromCall: since(seen, writes.calledAt),
        eventFromAck: since(
          reports.flatMap((report) => report.eventAt),
          writes.ackedAt,
        ),
        beforeAck: seen.reduce(
          (sum, times) => sum + times.filter((t, i) => t !== null && t < writes.ackedAt[i]!).length,
          0,
        ),
        missed: seen.reduce((sum, times) => sum + times.filter((t) => t === null).length, 0),
        staleReads: reports.reduce((sum, r) => sum + r.staleReads, 0),
        resets: reports.reduce((sum, r) => sum + r.resets, 0),
        writesPerSecond: shape.total / writes.seconds,
      };
    });
  } finally {
    await Promise.all([writer, ...stores].map((store) => store.close()));
  }
}

/**
 * Per instance and write, milliseconds from `reference[write]` to the time recorded (0 when it
 * came first), sorted; writes never seen are left out (counted as missed).
 */
function since(
  times: ReadonlyArray<ReadonlyArray<number | null>>,
  reference: Float64Array,
): Float64Array {
  const spans: number[] = [];
  for (const perWrite of times) {
    perWrite.forEach((t, i) => {
      if (t !== null) spans.push(Math.max(0, t - (reference[i] as number)));
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
    return `| ${r.label} | ${Math.round(r.writesPerSecond)} | **${ms(at(r.fromAck, 0.5))}** | **${ms(at(r.fromAck, 0.99))}** | ${ms(at(r.fromAck, 1))} | ${ms(at(r.eventFromAck, 0.5))} / ${ms(at(r.eventFromAck, 0.99))} | ${ms(at(r.fromCall, 0.5))} / ${ms(at(r.fromCall, 0.99))} | ${((100 * r.beforeAck) / Math.max(1, samples)).toFixed(1)}% | ${r.staleReads} | ${r.resets} | ${r.missed} of ${samples + r.missed} |`;
  });
  console.log(
    [
      '',
      `### change-feed propagation, ${mode.name}: ${mode.description}`,
      '',
      `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, ${new Date().toISOString().slice(0, 10)}`,
      isPinned
        ? 'every client process pinned to CPU 0, every server process to CPU 1 (taskset -a -pc)'
        : 'NOT pinned (taskset missing or a single CPU)',
      `${INSTANCES} instances (1 writer, ${INSTANCES - 1} readers), infinite TTL, ${RATE} upserts/s for ${SECONDS} s over ${KEYS} keys; one run each`,
      'latency per write and reader, ms: writer upsert acknowledged -> reader cached get answers that version (0 if before the ack); target p50 <= 1, p99 <= 5',
      '',
      '| run | writes/s | p50 | p99 | max | event only p50 / p99 | from call p50 / p99 | seen before ack | stale gets | resets | missed |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
  for (const r of results) expect(r.missed, `${r.label}: writes never seen`).toBe(0);
}

for (const mode of selectedModes()) {
  it(`benchmarks change-feed propagation: ${mode.name}`, () => benchmark(mode));
}
