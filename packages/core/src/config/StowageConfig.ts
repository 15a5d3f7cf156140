import { inspect } from 'node:util';
import type { PersistentDataStore } from '../contract/PersistentDataStore.js';
import type { DriverDefinition, DriverFactory } from '../drivers/DriverDefinition.js';
import { redactConfig } from './redactConfig.js';

/** The validated caching settings. */
export interface CacheConfig {
  /** Milliseconds; `Infinity` for `'infinite'`; 0 for no cache. */
  readonly ttlMs: number;
  /** The bound on cached entries, if any. */
  readonly maxEntries: number | undefined;
  /** Refresh-ahead as a fraction of the TTL; 0 for off. */
  readonly refreshAhead: number;
}

/** The validated status settings. */
export interface StatusConfig {
  /** The recovery poll's interval, in ms. */
  readonly pollIntervalMs: number;
}

/** The validated settings of what a store does with its driver's change feed and writes. */
export interface StoreModeConfig {
  /** `'on'`: follow the driver's change feed where it has one; `'off'`: ignore it. */
  readonly feed: 'on' | 'off';
  /** True when `init`, `upsert` and `delete` are refused (code `read-only`). */
  readonly readOnly: boolean;
}

/**
 * Configuration after `loadConfig`: complete, validated, with the selected driver's definition
 * loaded. The driver's options (which may hold passwords) are kept out of every printed form:
 * `JSON.stringify`, `String()` and `util.inspect` (so `console.log`) show a redacted copy.
 */
export class StowageConfig {
  readonly #driverOptions: unknown;
  readonly #definition: DriverDefinition;
  readonly #factory: DriverFactory;
  /** `'on'`: follow the driver's change feed where it has one; `'off'`: ignore it. */
  readonly feed: 'on' | 'off';
  /** True when `init`, `upsert` and `delete` are refused (code `read-only`). */
  readonly readOnly: boolean;

  /** Built by `loadConfig`; not meant to be constructed by applications. */
  constructor(
    /** The selected driver's name. */
    readonly driver: string,
    /** The store's prefix (non-empty). */
    readonly prefix: string,
    readonly cache: CacheConfig,
    readonly status: StatusConfig,
    mode: StoreModeConfig,
    definition: DriverDefinition,
    driverOptions: unknown,
    factory: DriverFactory,
  ) {
    this.#definition = definition;
    this.#factory = factory;
    this.#driverOptions = driverOptions;
    this.feed = mode.feed;
    this.readOnly = mode.readOnly;
    Object.freeze(this);
  }

  /** The selected driver's definition. */
  get definition(): DriverDefinition {
    return this.#definition;
  }

  /** The selected driver's factory, loaded by `loadConfig`. */
  get driverFactory(): DriverFactory {
    return this.#factory;
  }

  /** A new instance of the selected driver with these options and prefix. Does no I/O. */
  createDriver(): PersistentDataStore {
    return this.#factory(this.#driverOptions, { prefix: this.prefix });
  }

  /** The selected driver's validated options. Never log these: they may hold secrets. */
  get driverOptions(): unknown {
    return this.#driverOptions;
  }

  /** A printable form with every secret replaced by `[redacted]`. */
  toJSON(): Record<string, unknown> {
    return {
      driver: this.driver,
      prefix: this.prefix,
      cache: {
        ttl: this.cache.ttlMs === Number.POSITIVE_INFINITY ? 'infinite' : this.cache.ttlMs,
        ...(this.cache.maxEntries === undefined ? {} : { maxEntries: this.cache.maxEntries }),
        ...(this.cache.refreshAhead === 0 ? {} : { refreshAhead: this.cache.refreshAhead }),
      },
      status: { ...this.status },
      // Shown when they differ from the defaults, like the optional cache settings.
      ...(this.feed === 'on' ? {} : { feed: this.feed }),
      ...(this.readOnly ? { readOnly: true } : {}),
      [this.driver]: redactConfig(this.#driverOptions),
    };
  }

  toString(): string {
    return `StowageConfig ${JSON.stringify(this.toJSON())}`;
  }

  [inspect.custom](): string {
    return `StowageConfig ${inspect(this.toJSON(), { depth: 6 })}`;
  }
}
