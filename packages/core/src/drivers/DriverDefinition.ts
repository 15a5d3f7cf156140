import type { PersistentDataStore } from '../contract/PersistentDataStore.js';
import type { ConfigIssue } from '../errors/StowageConfigError.js';

/** What every driver is given besides its own options. */
export interface DriverContext {
  /** The store's prefix, already validated (non-empty). */
  readonly prefix: string;
}

/** The outcome of validating a driver's section of the configuration. */
export type DriverOptionsResult<TOptions> =
  | { readonly ok: true; readonly options: TOptions }
  | { readonly ok: false; readonly issues: ReadonlyArray<ConfigIssue> };

/**
 * Creates a driver from its validated options. Connects lazily: does no I/O.
 *
 * Declared through a method so that its parameter is compared both ways: a definition of one
 * driver's options can then stand in a list of definitions of any options (`drivers: [...]`).
 */
export type DriverFactory<TOptions = unknown> = {
  create(options: TOptions, context: DriverContext): PersistentDataStore;
}['create'];

/**
 * How configuration reaches a driver: the registry selects a definition by {@link name}, routes
 * the driver's `STOWAGE_<NAME>_*` variables through {@link environment}, hands it the driver's
 * section of the configuration, then loads the driver. Each driver package exports one from a
 * subpath that does not load its client library (`@stowage/redis/definition`); a third party
 * writes one to make its driver selectable by name.
 */
export interface DriverDefinition<TOptions = unknown> {
  /** The name configuration selects the driver by (`driver: 'redis'`). */
  readonly name: string;
  /**
   * The environment variables the driver reads, each mapped to an option of its section, e.g.
   * `{ STOWAGE_REDIS_URL: 'url' }`. Every name starts with `STOWAGE_` and the driver's name
   * upper-cased, other characters than letters and digits as `_` (`my-store`:
   * `STOWAGE_MY_STORE_`); a variable with that prefix that the table lacks is a configuration
   * error. Values arrive as strings: {@link validateOptions} accepts the string forms of
   * numbers, booleans and durations.
   */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * Validates the driver's section completely and returns every problem at once, with paths
   * relative to the section. Never throws for bad input.
   */
  validateOptions(section: unknown): DriverOptionsResult<TOptions>;
  /**
   * Loads the driver's implementation, client library included, and returns its factory. Called
   * once the options are valid, so that a definition can be imported (and configuration checked)
   * without loading a client library the app may not have installed. Rejects when a package the
   * driver needs is missing.
   */
  load(): Promise<DriverFactory<TOptions>>;
}
