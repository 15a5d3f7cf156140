import type { ChangeEvent } from '@stowage/core/driver';
import type { Redis, RedisOptions } from 'ioredis';
import { BehaviorSubject, distinctUntilChanged, Observable, Subject, share, takeUntil } from 'rxjs';
import { runTrackingLoop } from './trackingLoop.js';

/** Options of {@link createForeignWriteTracker}. */
export interface ForeignWriteTrackerOptions {
  /** The prefix the store's keys are built from (`{P}` in a cluster): `<effectivePrefix>:` is tracked. */
  readonly effectivePrefix: string;
  /**
   * Where the store's keys live now, as a name `connect` understands: in a cluster the primary
   * serving the store's slot (`host:port`), elsewhere any constant (the connection finds the
   * server, or the primary through the sentinels, itself). `previous` is the node the tracker
   * just lost, or was told no longer serves the slot: refresh the slot map before answering.
   * Throw when it is not known yet; the tracker asks again with a backoff.
   */
  nodeFor(previous: string | undefined): string | Promise<string>;
  /**
   * A new connection to `node`, owned by the tracker (it connects and closes it), with `overrides`
   * applied over the store's connection options (RESP2, no reconnect: see `TRACKING_CONNECTION`).
   * E.g. `client.duplicate(overrides)`, or `new Redis({ ...nodeOptions, ...overrides })`.
   */
  connect(node: string, overrides: RedisOptions): Redis;
  /** Bound for connecting and logging in. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Bound for each command; a connection that takes longer is dropped. Default 2000 ms. */
  readonly commandTimeoutMs?: number;
  /**
   * How often both connections are probed (PING, and EXISTS of the marker, which answers MOVED
   * once a reshard moved the slot while the connections stayed up). Default 1000 ms.
   */
  readonly probeIntervalMs?: number;
  /** Strings never to show in an error (passwords). */
  readonly secrets?: ReadonlyArray<string>;
}

/**
 * Writes to a store's prefix by anyone, reported by Redis's server-assisted client tracking in
 * BCAST mode, as a change feed source: writers that do not announce their writes (LaunchDarkly's
 * Redis store, an `HSET` by hand) become visible. Tracking names keys, not items, so each write
 * is a `kind` event; a flush or a change of the marker is a `reset`.
 */
export interface ForeignWriteTracker {
  /**
   * `kind` and `reset` events. Hot and shared: the first subscription opens the two connections,
   * the last unsubscription closes them. Errors with a `permission` StowageError naming the ACL
   * rule to add when the user may not track. Completes on `close()`.
   */
  readonly events$: Observable<ChangeEvent>;
  /**
   * `true` while tracking is established and every write to the prefix is reported; `false`
   * before, and from a lost connection until tracking is set up again, which `events$` then
   * follows with a `reset`. Replays the current state.
   */
  readonly live$: Observable<boolean>;
  /** Completes both streams and closes the connections. Idempotent. */
  close(): void;
}

const DEFAULTS = {
  connectTimeoutMs: 5000,
  commandTimeoutMs: 2000,
  probeIntervalMs: 1000,
  minRetryDelayMs: 50,
  maxRetryDelayMs: 1000,
} as const;

/**
 * The tracker of a store's prefix: a subscriber on RESP2 subscribed to `__redis__:invalidate`,
 * and a second connection that turns on `CLIENT TRACKING on REDIRECT <subscriber id> BCAST
 * PREFIX <effectivePrefix>:`, both on the node holding the store. Redirection names a client id,
 * which a reconnected subscriber no longer has, and it ends with either connection: so any loss
 * tears both down and sets tracking up again from scratch (on the node `nodeFor` names then).
 *
 * The ACL user needs `+client|id +subscribe &__redis__:invalidate +client|tracking`, and `+ping
 * +exists` for the probes (which the store needs anyway); no key pattern beyond the store's.
 */
export function createForeignWriteTracker(
  options: ForeignWriteTrackerOptions,
): ForeignWriteTracker {
  const live = new BehaviorSubject(false);
  const closing = new Subject<void>();
  let closed = false;
  const loopOptions = {
    ...DEFAULTS,
    ...definedOnly(options),
    trackedPrefix: `${options.effectivePrefix}:`,
    probeKey: `${options.effectivePrefix}:$inited`,
    secrets: options.secrets ?? [],
    nodeFor: (previous: string | undefined) => options.nodeFor(previous),
    connect: (node: string, overrides: RedisOptions) => options.connect(node, overrides),
  };
  const source = new Observable<ChangeEvent>((subscriber) => {
    if (closed) {
      subscriber.complete();
      return;
    }
    const stop = runTrackingLoop(loopOptions, {
      events: (events) => {
        for (const event of events) subscriber.next(event);
      },
      live: (value) => live.next(value),
      fail: (error) => {
        live.next(false);
        subscriber.error(error);
      },
    });
    return () => {
      stop();
      if (!closed) live.next(false);
    };
  });
  return {
    events$: source.pipe(takeUntil(closing), share()),
    live$: live.pipe(distinctUntilChanged()),
    close() {
      if (closed) return;
      closed = true;
      closing.next();
      closing.complete();
      live.next(false);
      live.complete();
    },
  };
}

function definedOnly(options: ForeignWriteTrackerOptions) {
  const { connectTimeoutMs, commandTimeoutMs, probeIntervalMs } = options;
  return Object.fromEntries(
    Object.entries({ connectTimeoutMs, commandTimeoutMs, probeIntervalMs }).filter(
      ([, value]) => value !== undefined,
    ),
  ) as Partial<typeof DEFAULTS>;
}
