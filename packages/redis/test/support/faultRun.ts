import { StoreErrorCode, StowageError } from '@stowage/core';
import type { RedisServer } from '@stowage/testing';
import type { RedisDataStore, RedisDriverOptions } from '../../src/index.js';
import { adminClient } from './adminClient.js';
import { features, item } from './items.js';
import { tally } from './writeStream.js';

/** One store taking part in a fault run: its settings, under a label (also its key prefix). */
export interface Contender {
  readonly label: string;
  readonly options: RedisDriverOptions;
}

/** What one store saw through a fault. */
export interface RunFigures {
  readonly label: string;
  readonly acknowledged: number;
  readonly lost: number;
  /**
   * From the fault to the first write that the promoted node itself acknowledged (a write sent
   * after the node reported itself primary, and still there once the group settled); undefined
   * when there was none.
   */
  readonly promotedAckMs: number | undefined;
  /** From the fault to the first answer of a candidate that it is primary (sampled). */
  readonly promotionMs: number | undefined;
  readonly writeFailures: Record<string, number>;
  readonly readFailures: Record<string, number>;
  /** The reader's slowest `get` (one every READ_EVERY_MS on the same store). */
  readonly readerWorstMs: number;
  /** The writers' slowest upsert. */
  readonly writerWorstMs: number;
}

export interface FaultRunPlan {
  readonly contenders: ReadonlyArray<Contender>;
  /** A new store for `label` with `options` (the prefix is derived from the label). */
  readonly open: (label: string, options: RedisDriverOptions) => RedisDataStore;
  /** Replicas that may be promoted: watched from the fault on. */
  readonly candidates: ReadonlyArray<RedisServer>;
  /** Injects the fault; resolves once it is over (a replica promoted, the node resumed...). */
  readonly fault: () => Promise<void>;
  /** After the fault: brings the group back to a settled state and opens a reading store. */
  readonly settled: (label: string) => Promise<RedisDataStore>;
  /** Writers per store (default 4). */
  readonly lanes?: number;
  /** How long the writers go on once the fault is over. */
  readonly afterMs: number;
  /** No reader: the store only writes (it must find a moved slot by itself). */
  readonly writeOnly?: boolean;
}

/** The timeouts of every store in a fault run (the defaults, the connect timeout shorter). */
export const RUN_TIMEOUTS = { connectTimeoutMs: 2000, commandTimeoutMs: 2000 } as const;

/** Acknowledged writes per store before the fault. */
const BEFORE_FAULT = 200;
const READ_EVERY_MS = 50;
/** How often the candidates are asked for their role. */
const ROLE_POLL_MS = 25;

interface Ack {
  readonly key: string;
  readonly sentAt: number;
  readonly ackAt: number;
}

interface StoreRun {
  readonly contender: Contender;
  readonly store: RedisDataStore;
  readonly acks: Ack[];
  readonly writeFailures: string[];
  readonly readFailures: string[];
  readerWorstMs: number;
  writerWorstMs: number;
}

/**
 * Runs every contender's store (`lanes` awaited writers of distinct keys and a reader on the same
 * store) at the same time through one fault, then counts per store the acknowledged writes the
 * settled group no longer has. Bounded: the writers stop `afterMs` after the fault is over.
 */
export async function runThroughFault(plan: FaultRunPlan): Promise<RunFigures[]> {
  let stop = false;
  let faultAt = Number.POSITIVE_INFINITY;
  const runs: StoreRun[] = plan.contenders.map((contender) => ({
    contender,
    store: plan.open(contender.label, contender.options),
    acks: [],
    writeFailures: [],
    readFailures: [],
    readerWorstMs: 0,
    writerWorstMs: 0,
  }));
  let next = 0;
  const writer = async (run: StoreRun) => {
    while (!stop) {
      const key = `${run.contender.label}-${next++}`;
      const sentAt = performance.now();
      try {
        await run.store.upsert(features, key, item(key, 1));
        run.acks.push({ key, sentAt, ackAt: performance.now() });
      } catch (error) {
        if (!StowageError.is(error)) throw error;
        run.writeFailures.push(error.code);
        // A failing store is not hammered: the next attempt after a short pause.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      if (sentAt > faultAt)
        run.writerWorstMs = Math.max(run.writerWorstMs, performance.now() - sentAt);
    }
  };
  const reader = async (run: StoreRun) => {
    const key = `${run.contender.label}-read`;
    await run.store.upsert(features, key, item(key, 1)).catch(() => {});
    while (!stop) {
      const startedAt = performance.now();
      try {
        await run.store.get(features, key);
      } catch (error) {
        if (!StowageError.is(error)) throw error;
        run.readFailures.push(error.code);
      }
      if (startedAt > faultAt) {
        run.readerWorstMs = Math.max(run.readerWorstMs, performance.now() - startedAt);
      }
      await new Promise((resolve) => setTimeout(resolve, READ_EVERY_MS));
    }
  };
  const lanes = plan.lanes ?? 4;
  const work = runs.flatMap((run) => [
    ...Array.from({ length: lanes }, () => writer(run)),
    ...(plan.writeOnly === true ? [] : [reader(run)]),
  ]);
  const promotedAt: number[] = [];
  let watching = true;
  try {
    await waitFor(() => runs.every((run) => run.acks.length >= BEFORE_FAULT), 20_000);
    const watcher = watchPromotion(plan.candidates, promotedAt, () => watching);
    faultAt = performance.now();
    try {
      await plan.fault();
      await new Promise((resolve) => setTimeout(resolve, plan.afterMs));
    } finally {
      watching = false;
      stop = true;
      await watcher;
    }
  } finally {
    stop = true;
    await Promise.all(work);
    await Promise.all(runs.map((run) => run.store.close()));
  }
  const promotion = promotedAt[0];
  const figures: RunFigures[] = [];
  for (const run of runs) {
    const reading = await plan.settled(run.contender.label);
    let stored: ReadonlyMap<string, unknown>;
    try {
      stored = await reading.getAll(features);
    } finally {
      await reading.close();
    }
    const kept = run.acks.filter((ack) => stored.has(ack.key));
    let first = Number.POSITIVE_INFINITY;
    for (const ack of kept) {
      if (promotion !== undefined && ack.sentAt >= promotion) first = Math.min(first, ack.ackAt);
    }
    figures.push({
      label: run.contender.label,
      acknowledged: run.acks.length,
      lost: run.acks.length - kept.length,
      promotedAckMs: Number.isFinite(first) ? Math.round(first - faultAt) : undefined,
      promotionMs: promotion === undefined ? undefined : Math.round(promotion - faultAt),
      writeFailures: tally(run.writeFailures),
      readFailures: tally(run.readFailures),
      readerWorstMs: Math.round(run.readerWorstMs),
      writerWorstMs: Math.round(run.writerWorstMs),
    });
  }
  return figures;
}

/**
 * Asks every candidate for its role until `watching()` is false, and records when one first
 * answered that it is a primary (the time the answer arrived: the promotion happened before).
 */
async function watchPromotion(
  candidates: ReadonlyArray<RedisServer>,
  promotedAt: number[],
  watching: () => boolean,
): Promise<void> {
  const clients = candidates.map((node) => {
    const client = adminClient(node);
    client.options.commandTimeout = 500;
    return client;
  });
  try {
    while (watching() && promotedAt.length === 0) {
      const roles = await Promise.all(
        clients.map((client) => client.role().catch(() => undefined)),
      );
      if (roles.some((role) => Array.isArray(role) && role[0] === 'master')) {
        promotedAt.push(performance.now());
      }
      await new Promise((resolve) => setTimeout(resolve, ROLE_POLL_MS));
    }
  } finally {
    for (const client of clients) client.disconnect();
  }
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One line per store, for the test output (and the README's tables). */
function report(fault: string, figures: ReadonlyArray<RunFigures>): void {
  for (const f of figures) {
    console.log(
      `${fault} | ${f.label}: ${f.acknowledged} acknowledged, ${f.lost} lost; promotion seen ${f.promotionMs ?? 'never'} ms after the fault, first write acknowledged by the promoted node ${f.promotedAckMs ?? 'none'} ms after the fault; write failures ${JSON.stringify(f.writeFailures)}; read failures ${JSON.stringify(f.readFailures)}; reader's worst ${f.readerWorstMs} ms; writer's worst ${f.writerWorstMs} ms`,
    );
  }
}

/** The only codes a fault may cause: never `backend`, never an untyped error. */
const FAULT_CODES: ReadonlyArray<string> = [
  StoreErrorCode.Connection,
  StoreErrorCode.Timeout,
  StoreErrorCode.OutcomeUnknown,
  StoreErrorCode.DurabilityNotConfirmed,
];

/**
 * Prints the figures, checks that every failure had a code a fault may cause, and returns them by
 * contender label (without the `${fault}-` the labels were given).
 */
export function checkedFigures(
  fault: string,
  title: string,
  figures: ReadonlyArray<RunFigures>,
): Map<string, RunFigures> {
  report(title, figures);
  for (const f of figures) {
    const codes = [...Object.keys(f.writeFailures), ...Object.keys(f.readFailures)];
    const unexpected = codes.filter((code) => !FAULT_CODES.includes(code));
    if (unexpected.length > 0) throw new Error(`${f.label}: unexpected failures ${unexpected}`);
  }
  return new Map(figures.map((f) => [f.label.slice(fault.length + 1), f]));
}
