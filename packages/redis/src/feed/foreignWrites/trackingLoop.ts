import type { StowageError } from '@stowage/core';
import type { ChangeEvent } from '@stowage/core/driver';
import {
  openTrackingSession,
  type SessionEnd,
  type TrackingSession,
  type TrackingSessionOptions,
} from './TrackingSession.js';

const LOST: Promise<SessionEnd> = Promise.resolve({ type: 'lost', reason: 'no connection' });

/** A session, or undefined when even its connections could not be made (bad options). */
function openSessionOrNot(options: TrackingSessionOptions): TrackingSession | undefined {
  try {
    return openTrackingSession(options);
  } catch {
    return undefined;
  }
}

/** Where the loop reports to. Nothing is reported once the loop is stopped. */
export interface TrackingSink {
  events(events: ChangeEvent[]): void;
  live(live: boolean): void;
  /** Tracking cannot work (the ACL user lacks a right): the loop has ended. */
  fail(error: StowageError): void;
}

/** What the loop needs besides the sink: a session's options but the node and the callbacks. */
export interface TrackingLoopOptions
  extends Omit<TrackingSessionOptions, 'node' | 'onLive' | 'onEvents'> {
  /**
   * Where the store lives now. `previous` is the node the last session ran on, when it was lost
   * or found the slot moved: a cluster caller refreshes its slot map before answering. Throwing
   * (not known yet) is retried like a lost connection.
   */
  nodeFor(previous: string | undefined): string | Promise<string>;
  /** First pause between attempts after a failure; doubled up to `maxRetryDelayMs`. */
  readonly minRetryDelayMs: number;
  readonly maxRetryDelayMs: number;
}

/**
 * Keeps tracking sessions running, one at a time, until stopped: after a session ends it asks
 * where the store lives and opens the next, with a bounded backoff while they keep failing. Live
 * while a session is established; every session established after the first live one is
 * announced by a `reset`, since writes in between went unreported. Returns `stop`.
 */
export function runTrackingLoop(options: TrackingLoopOptions, sink: TrackingSink): () => void {
  let stopped = false;
  let session: TrackingSession | undefined;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const run = async () => {
    let previous: string | undefined;
    let delay = options.minRetryDelayMs;
    let wasLive = false;
    while (!stopped) {
      let node: string | undefined;
      try {
        node = await options.nodeFor(previous);
      } catch {
        // Not known yet (a cluster client still mapping its slots): ask again after a pause.
        node = undefined;
      }
      if (stopped) return;
      if (node !== undefined) {
        let live = false;
        let liveSince = 0;
        session = openSessionOrNot({
          ...options,
          node,
          onLive: () => {
            if (stopped) return;
            live = true;
            liveSince = performance.now();
            sink.live(true);
            if (wasLive) sink.events([{ type: 'reset' }]);
            wasLive = true;
          },
          onEvents: (events) => {
            if (!stopped) sink.events(events);
          },
        });
        const end = await (session?.ended ?? LOST);
        session = undefined;
        if (stopped) return;
        if (live) sink.live(false);
        if (end.type === 'refused') {
          stopped = true;
          sink.fail(end.error);
          return;
        }
        previous = node;
        // A connection killed or a server restarted: try again at once. A session lost soon after
        // it was set up keeps the backoff, so that one that keeps failing is no busy loop.
        if (live && performance.now() - liveSince >= options.maxRetryDelayMs) {
          delay = options.minRetryDelayMs;
          continue;
        }
      }
      await pause(delay);
      delay = Math.min(delay * 2, options.maxRetryDelayMs);
    }
  };
  void run();
  return () => {
    stopped = true;
    session?.close();
    wake?.();
  };
}
