import { type ChangeEvent, type ChangeFeed, readChangeMessage } from '@stowage/core/driver';
import pg from 'pg';
import {
  BehaviorSubject,
  defer,
  distinctUntilChanged,
  filter,
  type Observable,
  Subject,
  share,
  takeUntil,
} from 'rxjs';
import { toStowageError } from '../errors/toStowageError.js';

const RESET: ChangeEvent = { type: 'reset' };
const noop = () => {};
/** Refusals that another attempt cannot cure: the feed fails instead of retrying forever. */
const FATAL = new Set(['auth', 'permission', 'tls']);

/** How the feed reaches the server. */
export interface FeedConnection {
  readonly client: pg.ClientConfig;
  readonly channel: string;
  /** This store instance's origin token: its own writes are marked `own`. */
  readonly origin: string;
  /** How often the listening connection is probed: a frozen server sends no error. */
  readonly heartbeatMs: number;
  readonly secrets: ReadonlyArray<string>;
  /** Asks the initialized marker, every time. */
  readonly markerExists: () => Promise<boolean>;
}

/**
 * The change feed of a PostgreSQL store: LISTEN on the store's channel on a connection of its
 * own (never one of the pool, which would hand it to other queries). The connection is made by
 * the first observer of `events$` and kept until `close()`. `live$` turns true once LISTEN is
 * confirmed and false the moment the connection fails or misses a heartbeat; every confirmation
 * after the first is followed by a `reset`, since whatever was announced in between is lost.
 */
export class PostgresChangeFeed implements ChangeFeed {
  readonly events$: Observable<ChangeEvent>;
  readonly live$: Observable<boolean>;
  private readonly events = new Subject<ChangeEvent>();
  private readonly live = new BehaviorSubject(false);
  private readonly closed$ = new BehaviorSubject(false);
  private client: pg.Client | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private attempt = 0;
  private started = false;
  private wasLive = false;

  constructor(private readonly connection: FeedConnection) {
    this.events$ = defer(() => {
      this.start();
      return this.events;
    }).pipe(takeUntil(this.closed$.pipe(filter(Boolean))), share());
    this.live$ = this.live.pipe(distinctUntilChanged());
  }

  checkInitialized(): Promise<boolean> {
    return this.connection.markerExists();
  }

  /** Ends the listening connection; `events$` and `live$` complete. */
  close(): void {
    if (this.closed$.value) return;
    this.closed$.next(true);
    clearTimeout(this.retry);
    this.drop(this.client);
    this.live.next(false);
    this.events.complete();
    this.live.complete();
  }

  private start(): void {
    if (this.started || this.closed$.value) return;
    this.started = true;
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed$.value) return;
    const client = new pg.Client(this.connection.client);
    this.client = client;
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', ({ channel, payload }) => {
      if (this.client === client && channel === this.connection.channel && payload) {
        this.events.next(readChangeMessage(payload, this.connection.origin));
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.connection.channel}"`);
    } catch (error) {
      const failure = toStowageError(error, {
        operation: 'LISTEN',
        effect: 'read',
        secrets: this.connection.secrets,
      });
      if (FATAL.has(failure.code) && !this.closed$.value && this.client === client) {
        this.drop(client);
        this.events.error(failure);
        return;
      }
      this.lost(client);
      return;
    }
    if (this.client !== client || this.closed$.value) return;
    this.attempt = 0;
    this.live.next(true);
    if (this.wasLive) this.events.next(RESET);
    this.wasLive = true;
    this.heartbeat = setInterval(() => {
      client.query('SELECT 1').catch(() => this.lost(client));
    }, this.connection.heartbeatMs);
    this.heartbeat.unref();
  }

  /** The connection may have missed notifications: not live until LISTEN is confirmed again. */
  private lost(client: pg.Client): void {
    if (this.client !== client || this.closed$.value) return;
    this.drop(client);
    this.live.next(false);
    this.attempt += 1;
    const delay = Math.min(50 * 2 ** this.attempt, 1_000);
    this.retry = setTimeout(() => void this.connect(), delay);
    this.retry.unref();
  }

  private drop(client: pg.Client | undefined): void {
    if (client === undefined) return;
    if (this.client === client) this.client = undefined;
    clearInterval(this.heartbeat);
    client.removeAllListeners('notification');
    client.on('error', noop);
    // Not awaited: a frozen server would hold the answer to the goodbye forever.
    client.end().catch(noop);
  }
}
