import type { StowageError } from '@stowage/core';
import type { ChangeEvent } from '@stowage/core/driver';
import type { Redis, RedisOptions } from 'ioredis';
import { INVALIDATE_CHANNEL, invalidationEvents } from './invalidationEvents.js';
import { isNoPerm, type TrackingStep, trackingPermissionError } from './trackingPermission.js';

/**
 * What the tracker's two connections run with, whatever the connections of the store do:
 * - `protocol: 2`: invalidations sent to a RESP3 redirect target arrive as push frames, which
 *   ioredis 6 drops; to a RESP2 one they arrive as messages on `__redis__:invalidate`.
 * - no reconnect, no resubscribe: a reconnected subscriber has a new client id, to which tracking
 *   must be redirected again, and it must be asked that id before it subscribes (a subscribed RESP2
 *   connection runs nothing else). So a lost connection ends the session, and the tracker opens a
 *   new one, asking where the store lives first (it may have moved).
 * - no offline queue, no resend, no ready check (INFO, which a minimal ACL user lacks).
 */
export const TRACKING_CONNECTION: RedisOptions = {
  protocol: 2,
  lazyConnect: true,
  enableOfflineQueue: false,
  enableReadyCheck: false,
  autoResubscribe: false,
  autoResendUnfulfilledCommands: false,
  maxRetriesPerRequest: 0,
  retryStrategy: () => null,
  reconnectOnError: () => false,
};

/** Why a session ended. */
export type SessionEnd =
  /** A connection closed, failed or stopped answering: try again. */
  | { readonly type: 'lost'; readonly reason: string }
  /** The node no longer serves the store's slot (MOVED): ask where it is now. */
  | { readonly type: 'moved' }
  /** The ACL user may not do what tracking needs: trying again would not help. */
  | { readonly type: 'refused'; readonly error: StowageError }
  /** Closed by the tracker. */
  | { readonly type: 'closed' };

/** Options of {@link openTrackingSession}. */
export interface TrackingSessionOptions {
  /** The node the store lives on, as `connect` understands it. */
  readonly node: string;
  /** A new connection to `node`, owned by the session, with `overrides` applied. */
  connect(node: string, overrides: RedisOptions): Redis;
  /** `<effectivePrefix>:`, the prefix tracked. */
  readonly trackedPrefix: string;
  /** A key of the store (its marker): the probe reads it, so a moved slot answers MOVED. */
  readonly probeKey: string;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly probeIntervalMs: number;
  readonly secrets: ReadonlyArray<string>;
  /** Called once tracking is redirected to the subscriber: from now on no write goes unreported. */
  onLive(): void;
  onEvents(events: ChangeEvent[]): void;
}

/** One set of tracking connections on one node, from set-up until one of them is lost. */
export interface TrackingSession {
  /** Settles once, with why the session ended. */
  readonly ended: Promise<SessionEnd>;
  /** Ends the session and drops both connections. */
  close(): void;
}

/** A failure of a step, as the end of the session it causes. */
class StepFailure extends Error {
  constructor(readonly end: SessionEnd) {
    super(end.type);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('Command timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Opens the subscriber (asked its client id, then subscribed to `__redis__:invalidate`) and the
 * tracking connection (`CLIENT TRACKING on REDIRECT <id> BCAST PREFIX <prefix>`) on one node, and
 * reports the invalidations as change events until either connection is lost, a probe fails or
 * finds the slot moved, or the session is closed. Both connections are probed every
 * `probeIntervalMs` (PING on the subscriber, EXISTS of the marker on the tracking connection): a
 * connection that stopped answering, or a slot moved by a live reshard while both stay connected,
 * would otherwise be a silent gap.
 */
export function openTrackingSession(options: TrackingSessionOptions): TrackingSession {
  const subscriber = options.connect(options.node, TRACKING_CONNECTION);
  let tracking: Redis;
  try {
    tracking = options.connect(options.node, TRACKING_CONNECTION);
  } catch (error) {
    subscriber.disconnect();
    throw error;
  }
  let finish: (end: SessionEnd) => void = () => {};
  const ended = new Promise<SessionEnd>((resolve) => {
    finish = resolve;
  });
  let done = false;
  let prober: NodeJS.Timeout | undefined;
  const end = (reason: SessionEnd) => {
    if (done) return;
    done = true;
    clearInterval(prober);
    for (const connection of [subscriber, tracking]) {
      connection.removeAllListeners('close');
      connection.disconnect();
    }
    finish(reason);
  };
  for (const connection of [subscriber, tracking]) {
    // Failures are read from the commands and from `close`; ioredis would print them otherwise.
    connection.on('error', () => {});
    connection.once('close', () => end({ type: 'lost', reason: 'connection closed' }));
  }
  subscriber.on('messageBuffer', (channel: Buffer, payload: Buffer[] | Buffer | null) => {
    if (done || channel.toString() !== INVALIDATE_CHANNEL) return;
    const events = invalidationEvents(options.trackedPrefix, payload);
    if (events.length > 0) options.onEvents(events);
  });

  const step = async <T>(name: TrackingStep, command: () => Promise<T>): Promise<T> => {
    try {
      return await withTimeout(command(), options.commandTimeoutMs);
    } catch (error) {
      throw new StepFailure(endOf(name, error, options.secrets));
    }
  };
  const probe = async () => {
    await Promise.all([
      step('exists', () => tracking.exists(options.probeKey)),
      step('ping', () => subscriber.ping()),
    ]);
  };
  const setUp = async () => {
    const connecting = [subscriber.connect(), tracking.connect()];
    await withTimeout(Promise.all(connecting), options.connectTimeoutMs + options.commandTimeoutMs);
    const id = await step('clientId', () => subscriber.client('ID'));
    await step('subscribe', () => subscriber.subscribe(INVALIDATE_CHANNEL));
    // Before tracking is turned on: a node that no longer serves the slot answers MOVED here.
    await step('exists', () => tracking.exists(options.probeKey));
    await step('tracking', () =>
      tracking.client(
        'TRACKING',
        'on',
        'REDIRECT',
        String(id),
        'BCAST',
        'PREFIX',
        options.trackedPrefix,
      ),
    );
  };

  let probing = false;
  setUp().then(
    () => {
      if (done) return;
      options.onLive();
      prober = setInterval(() => {
        if (probing || done) return;
        probing = true;
        probe()
          .catch((error: unknown) => end(endOfFailure(error)))
          .finally(() => {
            probing = false;
          });
      }, options.probeIntervalMs);
      prober.unref();
    },
    (error: unknown) => end(endOfFailure(error)),
  );
  return { ended, close: () => end({ type: 'closed' }) };
}

function endOfFailure(error: unknown): SessionEnd {
  if (error instanceof StepFailure) return error.end;
  return { type: 'lost', reason: error instanceof Error ? error.message : String(error) };
}

function endOf(step: TrackingStep, error: unknown, secrets: ReadonlyArray<string>): SessionEnd {
  if (!(error instanceof Error)) return { type: 'lost', reason: String(error) };
  if (isNoPerm(error)) {
    return { type: 'refused', error: trackingPermissionError(step, error, secrets) };
  }
  if (error.message.startsWith('MOVED ')) return { type: 'moved' };
  return { type: 'lost', reason: error.message };
}
