import { readFile } from 'node:fs/promises';
import { DEFAULT_CACHE_TTL } from '../cache/CachingOptions.js';
import { parseDuration } from '../cache/parseDuration.js';
import { DEFAULT_PREFIX } from '../contract/validation.js';
import type { DriverDefinition, DriverFactory } from '../drivers/DriverDefinition.js';
import { defaultDriverRegistry } from '../drivers/DriverRegistry.js';
import { redactText } from '../errors/redactSecrets.js';
import { type ConfigIssue, StowageConfigError } from '../errors/StowageConfigError.js';
import { DEFAULT_POLL_INTERVAL_MS } from '../status/StatusTrackingStore.js';
import { coreConfigSchema } from './coreConfigSchema.js';
import { driverEnvironment, loadFactory, unselectedDriverIssues } from './driverSection.js';
import { isPlainObject, mergeConfig } from './mergeConfig.js';
import { CONFIG_FILE_VARIABLE, readEnvironment } from './readEnvironment.js';
import { collectSecrets } from './redactConfig.js';
import { StowageConfig } from './StowageConfig.js';
import type { StowageConfigInput } from './StowageConfigInput.js';

/** Where `loadConfig` reads from besides the object it is given, and the drivers it knows. */
export interface LoadConfigOptions {
  /** The environment; default `process.env`. Pass `{}` to ignore it. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A JSON configuration file; default the one `STOWAGE_CONFIG_FILE` names, if any. */
  readonly configFile?: string;
  /**
   * Driver definitions to select from besides the built-in and registered ones, each replacing
   * one of the same name: `[redisDriverDefinition]` from `@stowage/redis/definition`. A bundled
   * app hands in the drivers it uses, since there is no package to look up by name.
   */
  readonly drivers?: ReadonlyArray<DriverDefinition>;
}

/** The configuration used when nothing else is given: the memory driver. */
const DEFAULT_CONFIG = {
  driver: 'memory',
  prefix: DEFAULT_PREFIX,
  cache: { ttl: DEFAULT_CACHE_TTL },
  status: { pollIntervalMs: DEFAULT_POLL_INTERVAL_MS },
  feed: 'on',
  readOnly: false,
} as const satisfies StowageConfigInput;

async function readConfigFile(path: string, issues: ConfigIssue[]): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    issues.push({
      path: CONFIG_FILE_VARIABLE,
      message: `the file cannot be read (${String((error as { code?: unknown }).code ?? 'error')})`,
    });
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(text);
    if (isPlainObject(value)) return value;
    issues.push({ path: CONFIG_FILE_VARIABLE, message: 'the file must hold a JSON object' });
  } catch {
    // The parser's message quotes the text, which may hold a password: say where, not what.
    issues.push({ path: CONFIG_FILE_VARIABLE, message: 'the file is not valid JSON' });
  }
  return undefined;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an instance of a class';
  // Never the value itself: a URL may carry a password.
  return `a ${typeof value}`;
}

/**
 * Builds the configuration from, lowest precedence first: the defaults, a JSON file
 * (`STOWAGE_CONFIG_FILE`), the environment (`STOWAGE_*`), and `input`. Validates all of it once,
 * the selected driver's section included (its package is imported here, and only that one), and
 * throws one `StowageConfigError` listing every problem with its path (an environment variable's
 * name when the value came from there). Secrets never appear in the error.
 */
export async function loadConfig(
  input: StowageConfigInput = {},
  options: LoadConfigOptions = {},
): Promise<StowageConfig> {
  const registry =
    options.drivers === undefined
      ? defaultDriverRegistry
      : defaultDriverRegistry.with(options.drivers);
  const environment = readEnvironment(options.env ?? process.env, registry.names());
  const issues: ConfigIssue[] = [...environment.issues];
  if (!isPlainObject(input)) {
    // A URL or a driver name passed where the object belongs must not become a memory store.
    issues.push({
      path: 'config',
      message: `must be an object, e.g. { driver: 'redis', redis: { url: 'redis://host:6379' } } (got ${describeValue(input)})`,
    });
  }
  const configFile = options.configFile ?? environment.configFile;
  const fromFile = configFile === undefined ? {} : await readConfigFile(configFile, issues);
  // Without the driver's variables: only its definition, loaded below, says what they set.
  const layers = mergeConfig(DEFAULT_CONFIG, fromFile, environment.config, input);
  const where = (path: ReadonlyArray<PropertyKey>) => {
    const dotted = path.map(String).join('.');
    return environment.sources.get(dotted) ?? dotted;
  };

  const parsed = coreConfigSchema(registry.names()).safeParse(layers);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const key of keys) {
        issues.push({
          path: where(key === undefined ? issue.path : [...issue.path, key]),
          message: key === undefined ? issue.message : 'is not a configuration option',
        });
      }
    }
  }
  const driver =
    typeof layers.driver === 'string' && registry.has(layers.driver) ? layers.driver : undefined;
  let merged = layers;
  let definition: DriverDefinition | undefined;
  let driverOptions: unknown;
  let factory: DriverFactory | undefined;
  if (driver !== undefined) {
    issues.push(...unselectedDriverIssues(layers, driver, registry, environment));
    try {
      definition = await registry.load(driver);
      const fromVariables = driverEnvironment(definition, environment, issues);
      merged = mergeConfig(DEFAULT_CONFIG, fromFile, environment.config, fromVariables, input);
      const result = definition.validateOptions(merged[driver]);
      if (result.ok) {
        driverOptions = result.options;
        factory = await loadFactory(definition, issues);
      } else {
        for (const issue of result.issues) {
          const path = issue.path === '' ? [driver] : [driver, ...issue.path.split('.')];
          issues.push({ path: where(path), message: issue.message });
        }
      }
    } catch (error) {
      if (!StowageConfigError.is(error)) throw error;
      issues.push(...error.issues);
    }
  }

  const cacheInput = isPlainObject(merged.cache) ? merged.cache : {};
  if (
    cacheInput.maxEntries !== undefined &&
    parseDuration(cacheInput.ttl) === Number.POSITIVE_INFINITY
  ) {
    issues.push({
      path: where(['cache', 'maxEntries']),
      message:
        'cannot be combined with an infinite TTL: an evicted entry could be the only copy of a write the backend has not taken',
    });
  }

  if (
    cacheInput.refreshAhead !== undefined &&
    Number(cacheInput.refreshAhead) > 0 &&
    parseDuration(cacheInput.ttl) === Number.POSITIVE_INFINITY
  ) {
    issues.push({
      path: where(['cache', 'refreshAhead']),
      message: 'has no meaning with an infinite TTL: entries never expire',
    });
  }

  if (issues.length > 0 || !parsed.success || definition === undefined || factory === undefined) {
    const secrets = collectSecrets(merged);
    throw new StowageConfigError(
      'Invalid Stowage configuration',
      issues.map((issue) => ({ path: issue.path, message: redactText(issue.message, secrets) })),
    );
  }
  const { prefix, cache, status, feed, readOnly } = parsed.data;
  return new StowageConfig(
    definition.name,
    prefix,
    { ttlMs: cache.ttl, maxEntries: cache.maxEntries, refreshAhead: cache.refreshAhead ?? 0 },
    { pollIntervalMs: status.pollIntervalMs },
    { feed, readOnly },
    definition,
    driverOptions,
    factory,
  );
}
