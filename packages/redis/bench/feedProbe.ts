import { type DataStore, defineKind, type VersionedItem, wrapDriver } from '@stowage/core';
import { createRedisDriver, type RedisDriverOptions } from '@stowage/redis';

// What the propagation benchmark runs in every process that holds instances: opening an instance
// the way an application in a pool does, and following one instance's view of a paced stream of
// writes. Imported by the benchmark and by the reader processes it forks (which load it without
// vitest), so it imports nothing but the built packages.

/** A flag-like item; the benchmark writes `{ key, version, on }`. */
export interface Flag extends VersionedItem {
  readonly on: boolean;
}

/** The one kind the propagation benchmark writes. */
export const flags = defineKind<Flag>('features');

/** Milliseconds since the epoch, sub-millisecond, comparable across processes of one machine. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/** The key of the `index`-th write of a run over `keyCount` keys (round robin). */
export const keyOf = (index: number, keyCount: number): string =>
  `flag-${String(index % keyCount).padStart(4, '0')}`;

/**
 * One application instance: its own driver (own connections) and a cache with an infinite TTL.
 * The command timeout is longer than the default so that a saturated machine shows up as latency
 * in the figures rather than as a failed run.
 */
export function openInstance(
  storeOptions: Omit<RedisDriverOptions, 'prefix'>,
  prefix: string,
): DataStore {
  return wrapDriver(createRedisDriver({ commandTimeoutMs: 10_000, ...storeOptions, prefix }), {
    cache: { ttl: 'infinite' },
  });
}

/**
 * Resolves once `store.status.feed` is `live`; rejects after `timeoutMs` saying what it was. Reads
 * once first: the store may start listening to its feed on first use rather than when created.
 */
export async function waitForLiveFeed(store: DataStore, timeoutMs = 10_000): Promise<void> {
  await store.get(flags, keyOf(0, 1));
  await new Promise<void>((resolve, reject) => {
    let last = store.status.feed;
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      reject(new Error(`the change feed is '${last}', not 'live', after ${timeoutMs} ms`));
    }, timeoutMs);
    const subscription = store.status$.subscribe((status) => {
      last = status.feed;
      if (status.feed !== 'live') return;
      clearTimeout(timer);
      // Unsubscribing inside the replayed first emission: leave that turn first.
      queueMicrotask(() => subscription.unsubscribe());
      resolve();
    });
  });
}

/** Stores `keyCount` flags at version 1 through `writer`'s `init`; their keys. */
export async function seed(writer: DataStore, keyCount: number): Promise<string[]> {
  const list = Array.from({ length: keyCount }, (_, i) => ({
    key: keyOf(i, keyCount),
    version: 1,
    on: false,
  }));
  await writer.init([flags.items(list)]);
  return list.map((item) => item.key);
}

/** Reads every key once, so that each instance's cache holds the whole run's keys. */
export async function warm(store: DataStore, keyCount: number): Promise<void> {
  await Promise.all(
    Array.from({ length: keyCount }, (_, i) => store.get(flags, keyOf(i, keyCount))),
  );
}

/** A paced run: versions `firstVersion` ... `firstVersion + total - 1`, key round robin. */
export interface RunShape {
  readonly firstVersion: number;
  readonly total: number;
  readonly keyCount: number;
}

/** One instance's view of a run, as {@link follow} records it. */
export interface Follower {
  /** Per write index: when a `get` of this instance first answered that version or a later one; NaN if never. */
  readonly seenAt: Float64Array;
  /** Per write index: when its upsert event reached the application's `changesOf`; NaN if never. */
  readonly eventAt: Float64Array;
  /** `get`s after an upsert event that still answered an older version, or failed (retried). */
  readonly staleReads: () => number;
  /** `reset` events received. */
  readonly resets: () => number;
  /** Writes not yet seen. */
  readonly missing: () => number;
  stop(): void;
}

/** How long a follower keeps re-reading a key whose event it received but whose `get` is older. */
const GIVE_UP_MS = 10_000;

/**
 * Follows `store` through a run: on each upsert event of `flags` (the application's `changesOf`,
 * which the cache also follows), `get`s the key until it answers the event's version or later and
 * records when. What the time measures is thus "the cached `get` of this instance returns the new
 * version", with the event as the cue to look (no polling of unchanged keys). A `get` that still
 * answers an older version (counted as stale) or fails is retried on the next turn, then every
 * millisecond.
 */
export function follow(store: DataStore, shape: RunShape): Follower {
  const seenAt = new Float64Array(shape.total).fill(Number.NaN);
  const eventAt = new Float64Array(shape.total).fill(Number.NaN);
  let missing = shape.total;
  let staleReads = 0;
  let failedReads = 0;
  let resets = 0;
  let stopped = false;
  const confirm = async (key: string, version: number, index: number) => {
    const started = wallNow();
    for (let attempt = 0; !stopped && wallNow() - started < GIVE_UP_MS; attempt++) {
      try {
        const item = await store.get(flags, key);
        if (item !== undefined && item.version >= version) {
          if (Number.isNaN(seenAt[index] as number)) {
            seenAt[index] = wallNow();
            missing--;
          }
          return;
        }
        staleReads++;
      } catch {
        failedReads++;
      }
      await new Promise((resolve) =>
        attempt === 0 ? setImmediate(resolve) : setTimeout(resolve, 1),
      );
    }
  };
  const subscription = store.changesOf(flags).subscribe({
    next: (change) => {
      if (change.type === 'reset') resets++;
      if (change.type !== 'upsert') return;
      const index = change.version - shape.firstVersion;
      if (index < 0 || index >= shape.total) return;
      if (Number.isNaN(eventAt[index] as number)) eventAt[index] = wallNow();
      void confirm(change.key, change.version, index);
    },
    // A feed that fails ends the stream: what it did not deliver is reported as missed.
    error: (error: unknown) => console.error('change feed failed:', error),
  });
  return {
    seenAt,
    eventAt,
    staleReads: () => staleReads + failedReads,
    resets: () => resets,
    missing: () => missing,
    stop: () => {
      stopped = true;
      subscription.unsubscribe();
    },
  };
}

/** Resolves once every follower has seen every write, or after `timeoutMs`, whichever is first. */
export async function drained(
  followers: ReadonlyArray<Follower>,
  timeoutMs: number,
): Promise<void> {
  const started = wallNow();
  while (followers.some((f) => f.missing() > 0) && wallNow() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** What a process of reader instances reports after a run (see `feedReader.ts`). */
export interface ReaderReport {
  readonly type: 'result';
  /** Per instance, per write index: the wall time it was seen, or null (JSON has no NaN). */
  readonly seenAt: ReadonlyArray<ReadonlyArray<number | null>>;
  /** The same for the arrival of each write's event. */
  readonly eventAt: ReadonlyArray<ReadonlyArray<number | null>>;
  readonly staleReads: number;
  readonly resets: number;
  /** CPU time the reporting process used while following, per second (1 = a whole core). */
  readonly cpuShare?: number;
}

/** Times as JSON can carry them: NaN (never) as null. */
const jsonTimes = (times: Float64Array) => Array.from(times, (t) => (Number.isNaN(t) ? null : t));

/** What `followers` recorded, in the form a reader process reports it. */
export function reportOf(followers: ReadonlyArray<Follower>): ReaderReport {
  return {
    type: 'result',
    seenAt: followers.map((f) => jsonTimes(f.seenAt)),
    eventAt: followers.map((f) => jsonTimes(f.eventAt)),
    staleReads: followers.reduce((sum, f) => sum + f.staleReads(), 0),
    resets: followers.reduce((sum, f) => sum + f.resets(), 0),
  };
}

/** What a benchmark sends a forked process: open instances, follow a run or write, report. */
export type ReaderCommand =
  | {
      readonly type: 'start';
      readonly storeOptions: Omit<RedisDriverOptions, 'prefix'>;
      readonly prefix: string;
      readonly instances: number;
      readonly shape: RunShape;
    }
  | {
      /** The first instance writes these `[key, version]` flags, `inFlight` at a time. */
      readonly type: 'write';
      readonly writes: ReadonlyArray<readonly [string, number]>;
      readonly inFlight: number;
    }
  | { readonly type: 'finish'; readonly drainMs: number };
