import { type ChangeEvent, readChangeMessage } from '@stowage/core/driver';
import { BehaviorSubject, defer, distinctUntilChanged, type Observable, Subject } from 'rxjs';
import type { ChangeSource } from './ChangeSource.js';
import type { ChannelSubscription, Subscribe } from './ChannelSubscription.js';

const RESET: ChangeEvent = { type: 'reset' };

/**
 * The writes announced on the store's change channel, as a {@link ChangeSource}. The subscriber
 * connection is made by the first observer of `events$` and kept until `close()` (observers come
 * and go; the subscription does not). `live$` turns true when the server confirms the SSUBSCRIBE
 * and false the moment the subscription may miss messages; every confirmation after the first is
 * followed by a `reset`, since whatever was announced in between is lost.
 */
export class ChannelSource implements ChangeSource {
  readonly events$: Observable<ChangeEvent>;
  readonly live$: Observable<boolean>;
  private readonly events = new Subject<ChangeEvent>();
  private readonly live = new BehaviorSubject(false);
  private subscription: ChannelSubscription | undefined;
  private wasLive = false;
  private closed = false;

  constructor(
    private readonly subscribe: Subscribe,
    /** This store instance's origin token: its own writes are marked `own`. */
    private readonly origin: string,
  ) {
    this.events$ = defer(() => {
      this.start();
      return this.events;
    });
    this.live$ = this.live.pipe(distinctUntilChanged());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.subscription?.close();
    this.subscription = undefined;
    this.live.next(false);
    this.events.complete();
    this.live.complete();
  }

  private start(): void {
    if (this.closed || this.subscription !== undefined || this.events.hasError) return;
    this.subscription = this.subscribe({
      message: (payload) => {
        // An empty message announces nothing: `stowage doctor` sends one to probe the right to.
        if (!this.closed && payload !== '')
          this.events.next(readChangeMessage(payload, this.origin));
      },
      subscribed: () => {
        if (this.closed) return;
        this.live.next(true);
        if (this.wasLive) this.events.next(RESET);
        this.wasLive = true;
      },
      lost: () => {
        if (!this.closed) this.live.next(false);
      },
      failed: (error) => {
        if (this.closed) return;
        this.live.next(false);
        this.subscription?.close();
        this.events.error(error);
      },
    });
  }
}
