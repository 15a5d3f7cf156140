import type { Duration } from '../cache/parseDuration.js';

/**
 * Configuration as an application, a JSON file or the environment gives it. Every field is
 * optional; `loadConfig` fills in the defaults and validates the whole of it at once.
 */
export interface StowageConfigInput {
  /** The driver by name: `'memory'` (default), `'redis'`, or one registered or handed in. */
  readonly driver?: string;
  /** Namespace of every key the store writes. Non-empty; default `stowage`. */
  readonly prefix?: string;
  readonly cache?: {
    /** Entry lifetime: ms, `"30s"`, `"5m"`, `"500ms"`, or `'infinite'`; 0 for no cache. Default 30s. */
    readonly ttl?: Duration;
    /** The most entries kept (least recently used evicted first). Not with an infinite TTL. */
    readonly maxEntries?: number;
    /** Reload hot items in the background during the last fraction of their TTL (0 to <1). */
    readonly refreshAhead?: number;
  };
  readonly status?: {
    /** How often a store that lost its backend checks whether it is back, in ms. Default 500. */
    readonly pollIntervalMs?: number;
  };
  /**
   * `'on'` (default): a driver with a change feed keeps the cache coherent with every instance
   * sharing the prefix, and `changes$` reports their writes. `'off'`: the feed is not listened to.
   */
  readonly feed?: 'on' | 'off';
  /**
   * True for an instance that only reads a store another process fills: `init`, `upsert` and
   * `delete` fail with code `read-only` before anything is sent. Default false.
   */
  readonly readOnly?: boolean;
  /** The Redis driver's options (see `@stowage/redis`), e.g. `{ url: 'redis://host:6379' }`. */
  readonly redis?: Readonly<Record<string, unknown>>;
  /** The memory driver's options, e.g. `{ backend }` to share a `createMemoryBackend()`. */
  readonly memory?: Readonly<Record<string, unknown>>;
  /** The section of any other driver, by its name. */
  readonly [driverSection: string]: unknown;
}
