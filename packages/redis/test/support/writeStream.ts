import { StowageError } from '@stowage/core';
import type { RedisDataStore } from '../../src/index.js';
import { features, item } from './items.js';

/** What a stream of awaited upserts saw across a fault. */
export interface StreamReport {
  /** Keys whose upsert resolved (acknowledged). */
  readonly acknowledged: string[];
  /** Error codes of the failed operations, in order. */
  readonly failures: string[];
  /** Longest time one operation took, in ms. */
  readonly slowestMs: number;
  /** From the fault to the first acknowledged write after it, in ms (undefined: none). */
  readonly recoveryMs: number | undefined;
}

export interface StreamPlan {
  readonly store: RedisDataStore;
  /** Distinct keys are `${keyBase}-<n>`. */
  readonly keyBase: string;
  /** Injected after this many acknowledged writes; resolves when the fault is over. */
  readonly fault: () => Promise<void>;
  readonly faultAfter: number;
  /** Stop once this many writes were acknowledged after the fault is over ... */
  readonly writesAfter: number;
  /** ... or at the latest after this long (a bound, not an expectation). */
  readonly deadlineMs: number;
  /** Also read back each key (cluster tests read and write). */
  readonly alsoRead?: boolean;
  /** Concurrent writers, like the requests of a busy server (default 1). */
  readonly lanes?: number;
}

/**
 * Upserts distinct keys one after another (each awaited, as an application would) on `lanes`
 * concurrent writers, injects the fault, and goes on until enough writes succeeded after it or the
 * deadline: bounded in count and time. Every failure must be a typed `StowageError`; the caller
 * checks codes and durations.
 */
export async function writeThroughFault(plan: StreamPlan): Promise<StreamReport> {
  const acknowledged: string[] = [];
  const failures: string[] = [];
  let slowestMs = 0;
  let faultAt: number | undefined;
  let faultOver = false;
  let recoveryMs: number | undefined;
  let afterFault = 0;
  let faultPromise: Promise<void> | undefined;
  let next = 0;
  const started = Date.now();
  const done = () =>
    Date.now() - started >= plan.deadlineMs || (faultOver && afterFault >= plan.writesAfter);

  const lane = async () => {
    while (!done()) {
      if (faultAt === undefined && acknowledged.length >= plan.faultAfter) {
        faultAt = Date.now();
        faultPromise = plan.fault().then(() => {
          faultOver = true;
        });
        // Give the fault a moment to land before the next write.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const key = `${plan.keyBase}-${next++}`;
      const opStart = Date.now();
      try {
        await plan.store.upsert(features, key, item(key, 1));
        if (plan.alsoRead === true) await plan.store.get(features, key);
        acknowledged.push(key);
        if (faultAt !== undefined && recoveryMs === undefined && Date.now() - faultAt > 50) {
          recoveryMs = Date.now() - faultAt;
        }
        if (faultOver) afterFault += 1;
      } catch (error) {
        if (!StowageError.is(error)) throw error;
        failures.push(error.code);
      }
      slowestMs = Math.max(slowestMs, Date.now() - opStart);
    }
  };
  await Promise.all(Array.from({ length: plan.lanes ?? 1 }, lane));
  await faultPromise;
  return { acknowledged, failures, slowestMs, recoveryMs };
}

/** Acknowledged keys that the store no longer has; `close` closes the store afterwards. */
export async function lostWrites(
  store: RedisDataStore,
  acknowledged: ReadonlyArray<string>,
  { close = false } = {},
): Promise<number> {
  try {
    const stored = await store.getAll(features);
    return acknowledged.filter((key) => !stored.has(key)).length;
  } finally {
    if (close) await store.close();
  }
}

/** Counts of each code, e.g. `{ connection: 12, 'outcome-unknown': 1 }`. */
export function tally(codes: ReadonlyArray<string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const code of codes) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
}
