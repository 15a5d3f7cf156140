import { createMemoryDriver, type MemoryBackend } from '@stowage/memory';
import { BehaviorSubject, Observable, Subject, share } from 'rxjs';
import type * as core from '../../src/index.js';
import { ControlledDriver } from './ControlledDriver.js';

type ChangeEvent = core.ChangeEvent;

/** What the drivers sharing one backend announce: each event with the driver that wrote it. */
export class FeedBus {
  readonly writes = new Subject<{ readonly event: ChangeEvent; readonly from: unknown }>();

  /** Announces a write by a writer that is none of the drivers (an event for every one). */
  announce(event: ChangeEvent): void {
    this.writes.next({ event, from: undefined });
  }
}

/**
 * A driver with a change feed for tests, counting and holding calls as {@link ControlledDriver}
 * does: every write it applies is announced on its bus before its answer is returned (as a
 * Redis writer's message can arrive before its reply), and every driver on the bus hears it,
 * with `own` true for its own. The test drives the rest: `live` (turned true when
 * the feed is first listened to, unless `startLive` is false), `emit` for a gap or any event,
 * `failFeed` for a fatal set-up failure.
 */
export class FeedDriver extends ControlledDriver {
  readonly live = new BehaviorSubject<boolean>(false);
  readonly changeFeed: core.ChangeFeed;
  /** How many observers listen to the feed now, and how many times it was asked for its marker. */
  listeners = 0;
  checks = 0;
  private readonly local = new Subject<ChangeEvent>();

  constructor(
    inner: core.PersistentDataStore,
    readonly bus: FeedBus,
    private readonly marker: () => Promise<boolean>,
    startLive = true,
  ) {
    super(inner);
    const events$ = new Observable<ChangeEvent>((subscriber) => {
      this.listeners += 1;
      const fromBus = bus.writes.subscribe(({ event, from }) => {
        if (event.type === 'upsert' || event.type === 'init') {
          subscriber.next({ ...event, own: from === this });
        } else subscriber.next(event);
      });
      const fromTest = this.local.subscribe(subscriber);
      if (startLive) this.live.next(true);
      return () => {
        this.listeners -= 1;
        fromBus.unsubscribe();
        fromTest.unsubscribe();
        this.live.next(false);
      };
    }).pipe(share());
    this.changeFeed = {
      events$,
      live$: this.live.asObservable(),
      checkInitialized: () => {
        this.checks += 1;
        return this.marker();
      },
    };
  }

  /** Emits an event on this driver's feed only. */
  emit(event: ChangeEvent): void {
    this.local.next(event);
  }

  /** Fails the feed for good, as a driver that cannot set it up does. */
  failFeed(error: unknown): void {
    this.local.error(error);
  }

  override async init(allData: core.FullDataSet): Promise<void> {
    await super.init(allData);
    for (const { kind } of allData) {
      this.bus.writes.next({
        event: { type: 'init', kind: { namespace: kind.namespace } },
        from: this,
      });
    }
  }
  override async upsert(
    kind: core.DataKind,
    key: string,
    descriptor: core.SerializedItemDescriptor,
  ): Promise<core.UpsertResult> {
    const result = await super.upsert(kind, key, descriptor);
    if (result.applied) {
      const { version, deleted } = descriptor;
      const event = { type: 'upsert', kind: { namespace: kind.namespace }, key, version, deleted };
      this.bus.writes.next({ event: event as ChangeEvent, from: this });
    }
    return result;
  }
  override async close(): Promise<void> {
    this.local.complete();
    await super.close();
  }
}

/**
 * A driver with a feed on `backend` (own one by default) under `prefix`, on `bus`; its marker
 * check asks the backend itself, as a driver's must (not what `isInitialized()` remembers).
 */
export function feedDriver(
  backend: MemoryBackend,
  bus: FeedBus,
  prefix = 'feed',
  startLive = true,
) {
  const marker = () => createMemoryDriver({ prefix, backend }).isInitialized();
  return new FeedDriver(createMemoryDriver({ prefix, backend }), bus, marker, startLive);
}
