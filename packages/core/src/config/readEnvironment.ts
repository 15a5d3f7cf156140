import { driverVariablePrefix } from '../drivers/driverVariablePrefix.js';
import type { ConfigIssue } from '../errors/StowageConfigError.js';

/** The variables of core itself, each with the path of the option it sets. */
export const CORE_ENVIRONMENT: Readonly<Record<string, string>> = {
  STOWAGE_DRIVER: 'driver',
  STOWAGE_PREFIX: 'prefix',
  STOWAGE_CACHE_TTL: 'cache.ttl',
  STOWAGE_CACHE_MAX_ENTRIES: 'cache.maxEntries',
  STOWAGE_CACHE_REFRESH_AHEAD: 'cache.refreshAhead',
  STOWAGE_STATUS_POLL_INTERVAL_MS: 'status.pollIntervalMs',
  STOWAGE_FEED: 'feed',
  STOWAGE_READ_ONLY: 'readOnly',
};

/** The variable that names a JSON configuration file. */
export const CONFIG_FILE_VARIABLE = 'STOWAGE_CONFIG_FILE';

/** What the environment says. */
export interface EnvironmentLayer {
  /** Core's options the variables spell, as nested objects of strings. */
  readonly config: Record<string, unknown>;
  /** For each option path set here, the variable that set it (for error paths). */
  readonly sources: Map<string, string>;
  /** The configuration file to read, if `STOWAGE_CONFIG_FILE` names one. */
  readonly configFile: string | undefined;
  /**
   * Each driver's `STOWAGE_<DRIVER>_*` variables and their values, by driver name: only the
   * selected driver's definition says which options they set.
   */
  readonly driverVariables: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** `STOWAGE_*` variables of neither core nor a driver. */
  readonly issues: ReadonlyArray<ConfigIssue>;
}

/** Sets `value` at a dotted `path` of `target`, creating the objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      node[part] = created;
      node = created;
    }
  }
  node[parts[parts.length - 1] as string] = value;
}

/**
 * Reads the `STOWAGE_*` variables: core's own, and each driver's by its prefix (the longest
 * matching driver name wins), without importing any driver. A `STOWAGE_*` variable of neither is
 * an error: a typo in `STOWAGE_DRIVER` must not silently leave the app on another driver.
 */
export function readEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  driverNames: ReadonlyArray<string>,
): EnvironmentLayer {
  const config: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  const driverVariables = new Map<string, Map<string, string>>();
  const issues: ConfigIssue[] = [];
  let configFile: string | undefined;
  const prefixes = driverNames
    .map((driver) => ({ driver, prefix: driverVariablePrefix(driver) }))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (!name.startsWith('STOWAGE_') || value === undefined) continue;
    if (name === CONFIG_FILE_VARIABLE) {
      configFile = value;
      continue;
    }
    const path = CORE_ENVIRONMENT[name];
    if (path !== undefined) {
      setPath(config, path, value);
      sources.set(path, name);
      continue;
    }
    const driver = prefixes.find(({ prefix }) => name.startsWith(prefix))?.driver;
    if (driver !== undefined) {
      const variables = driverVariables.get(driver) ?? new Map<string, string>();
      driverVariables.set(driver, variables.set(name, value));
      continue;
    }
    issues.push({
      path: name,
      message: `is not a Stowage variable (known: ${[...Object.keys(CORE_ENVIRONMENT), CONFIG_FILE_VARIABLE].join(', ')}, and ${driverNames.map((driver) => `${driverVariablePrefix(driver)}*`).join(', ')} for the drivers)`,
    });
  }
  return { config, sources, configFile, driverVariables, issues };
}
