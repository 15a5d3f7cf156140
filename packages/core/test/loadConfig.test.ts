import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type DriverDefinition, loadConfig, StowageConfigError } from '../src/index.js';
import { vaultDriverDefinition } from './support/vaultDriver.js';

const SECRET = 'hunter2-correct-horse';

function configFile(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'stowage-config-'));
  const path = join(dir, 'stowage.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

async function configError(promise: Promise<unknown>): Promise<StowageConfigError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!StowageConfigError.is(error)) throw new Error(`expected a config error, got ${error}`);
  return error;
}

const vault = [vaultDriverDefinition];

describe('loadConfig', () => {
  it('defaults to the memory driver when nothing is set', async () => {
    const config = await loadConfig({}, { env: {} });
    expect(config.toJSON()).toEqual({
      driver: 'memory',
      prefix: 'stowage',
      cache: { ttl: 30_000 },
      status: { pollIntervalMs: 500 },
      memory: {},
    });
  });

  it('applies defaults < file < environment < the object passed in', async () => {
    const file = configFile({ prefix: 'from-file', cache: { ttl: '5m', maxEntries: 10 } });
    const env = { STOWAGE_CONFIG_FILE: file, STOWAGE_CACHE_TTL: '45s', STOWAGE_PREFIX: 'from-env' };
    const config = await loadConfig({ prefix: 'from-object' }, { env });
    expect(config.prefix).toBe('from-object');
    expect(config.cache).toEqual({ ttlMs: 45_000, maxEntries: 10, refreshAhead: 0 });
    const withoutObject = await loadConfig({}, { env });
    expect(withoutObject.prefix).toBe('from-env');
    const fileOnly = await loadConfig({}, { env: { STOWAGE_CONFIG_FILE: file } });
    expect(fileOnly.prefix).toBe('from-file');
    expect(fileOnly.cache.ttlMs).toBe(300_000);
  });

  it('accepts every duration form, "infinite" included, from the environment and JSON', async () => {
    const ttl = async (value: unknown) =>
      (await loadConfig({ cache: { ttl: value as string } }, { env: {} })).cache.ttlMs;
    expect(await ttl(250)).toBe(250);
    expect(await ttl('500ms')).toBe(500);
    expect(await ttl('30s')).toBe(30_000);
    expect(await ttl('5m')).toBe(300_000);
    expect(await ttl('infinite')).toBe(Number.POSITIVE_INFINITY);
    const fromEnv = await loadConfig({}, { env: { STOWAGE_CACHE_TTL: 'infinite' } });
    expect(fromEnv.cache.ttlMs).toBe(Number.POSITIVE_INFINITY);
    const fromFile = await loadConfig(
      {},
      { configFile: configFile({ cache: { ttl: 'infinite' } }), env: {} },
    );
    expect(fromFile.cache.ttlMs).toBe(Number.POSITIVE_INFINITY);
  });

  it('rejects an unknown STOWAGE_ variable rather than falling back to memory', async () => {
    const error = await configError(
      loadConfig({}, { env: { STOWAGE_DRIVR: 'redis', STOWAGE_REDIS_URL: 'redis://x:6379' } }),
    );
    expect(error.issues).toEqual([
      { path: 'STOWAGE_DRIVR', message: expect.stringContaining('is not a Stowage variable') },
      { path: 'STOWAGE_REDIS_URL', message: expect.stringContaining('STOWAGE_DRIVER=redis') },
    ]);
  });

  it('knows the variables of the built-in and registered drivers without loading them', async () => {
    const config = await loadConfig(
      {},
      {
        env: {
          STOWAGE_DRIVER: 'vault',
          STOWAGE_VAULT_URL: 'v://x',
          STOWAGE_VAULT_PASSWORD: 'long-enough',
        },
        drivers: vault,
      },
    );
    expect(config.driver).toBe('vault');
    // A built-in driver's variable is known (not a typo) while its driver is not selected.
    const unselected = await configError(
      loadConfig({}, { env: { STOWAGE_REDIS_URL: 'redis://x:6379' }, drivers: vault }),
    );
    expect(unselected.issues[0]?.message).toMatch(/configures the "redis" driver/);
  });

  it('reports every problem at once, each with its path', async () => {
    const error = await configError(
      loadConfig(
        {
          prefix: '',
          cache: { ttl: 'soon', maxEntries: 0, extra: true } as never,
          status: { pollIntervalMs: -5 },
          cahce: {},
        },
        { env: { STOWAGE_DRIVER: 'vault', STOWAGE_TYPO: '1' }, drivers: vault },
      ),
    );
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(
      [
        'STOWAGE_TYPO',
        'prefix',
        'cache.ttl',
        'cache.maxEntries',
        'cache.extra',
        'status.pollIntervalMs',
        'cahce',
        'vault.url',
        'vault.password',
      ].sort(),
    );
    expect(error.message).toContain('cache.ttl');
  });

  it('names the environment variable a bad value came from', async () => {
    const error = await configError(
      loadConfig({}, { env: { STOWAGE_CACHE_TTL: 'soon', STOWAGE_CACHE_MAX_ENTRIES: 'many' } }),
    );
    expect(error.issues.map((issue) => issue.path).sort()).toEqual([
      'STOWAGE_CACHE_MAX_ENTRIES',
      'STOWAGE_CACHE_TTL',
    ]);
  });

  it('rejects a bound on entries combined with an infinite TTL', async () => {
    const error = await configError(
      loadConfig({ cache: { ttl: 'infinite', maxEntries: 100 } }, { env: {} }),
    );
    expect(error.issues).toEqual([
      { path: 'cache.maxEntries', message: expect.stringContaining('infinite TTL') },
    ]);
  });

  it('rejects an unknown driver, listing the known ones', async () => {
    const error = await configError(loadConfig({ driver: 'mongo' }, { env: {} }));
    expect(error.issues).toEqual([
      { path: 'driver', message: expect.stringMatching(/memory.*redis/) },
    ]);
  });

  it('reports an unreadable or invalid file without quoting it', async () => {
    const bad = configFile(`{"redis": {"password": "${SECRET}"`);
    const error = await configError(loadConfig({}, { env: { STOWAGE_CONFIG_FILE: bad } }));
    expect(error.issues).toEqual([
      { path: 'STOWAGE_CONFIG_FILE', message: 'the file is not valid JSON' },
    ]);
    expect(error.message).not.toContain(SECRET);
    const missing = await configError(
      loadConfig({}, { configFile: '/nonexistent/stowage.json', env: {} }),
    );
    expect(missing.issues[0]?.path).toBe('STOWAGE_CONFIG_FILE');
  });

  it('never prints a secret: not in errors, JSON, String() or util.inspect', async () => {
    const env = { STOWAGE_DRIVER: 'vault', STOWAGE_VAULT_URL: `vault://admin:${SECRET}@host` };
    const error = await configError(
      loadConfig(
        { vault: { password: `${SECRET}` }, cache: { ttl: 'soon' } },
        { env, drivers: vault },
      ),
    );
    expect(`${error.message} ${JSON.stringify(error.issues)} ${inspect(error)}`).not.toContain(
      SECRET,
    );

    const short = await configError(
      loadConfig({ vault: { password: 'abc' } }, { env, drivers: vault }),
    );
    expect(short.message).toContain('vault.password');
    expect(short.message).not.toContain('"abc"');

    const config = await loadConfig({ vault: { password: SECRET } }, { env, drivers: vault });
    for (const printed of [JSON.stringify(config), String(config), inspect(config), `${config}`]) {
      expect(printed).not.toContain(SECRET);
      expect(printed).toContain('vault');
    }
    expect(JSON.stringify(config)).toContain('[redacted]');
    expect(config.driverOptions).toEqual({ url: `vault://admin:${SECRET}@host`, password: SECRET });
  });
});

describe('loadConfig, refresh-ahead', () => {
  it('reads cache.refreshAhead from the environment as a fraction', async () => {
    const config = await loadConfig({}, { env: { STOWAGE_CACHE_REFRESH_AHEAD: '0.2' } });
    expect(config.cache.refreshAhead).toBe(0.2);
    expect(config.toJSON()).toMatchObject({ cache: { refreshAhead: 0.2 } });
  });

  it('is off by default', async () => {
    expect((await loadConfig({}, { env: {} })).cache.refreshAhead).toBe(0);
  });

  it('rejects a value outside 0 to below 1, and any with an infinite TTL', async () => {
    const outside = await configError(
      loadConfig({}, { env: { STOWAGE_CACHE_REFRESH_AHEAD: '1.5' } }),
    );
    expect(outside.issues.map((issue) => issue.path)).toEqual(['STOWAGE_CACHE_REFRESH_AHEAD']);
    const infinite = await configError(
      loadConfig({ cache: { ttl: 'infinite', refreshAhead: 0.1 } }, { env: {} }),
    );
    expect(infinite.issues.map((issue) => issue.path)).toEqual(['cache.refreshAhead']);
  });

  it.each([
    ['a driver name', 'redis'],
    ['a URL', `redis://:${SECRET}@127.0.0.1:6380`],
    ['null', null],
    ['an array', [{ driver: 'redis' }]],
  ])('refuses %s where the configuration object belongs', async (_, input) => {
    const error = await configError(loadConfig(input as never, { env: {} }));
    expect(error.issues).toEqual([
      { path: 'config', message: expect.stringMatching(/must be an object/) },
    ]);
    expect(inspect(error, { depth: 10 })).not.toContain(SECRET);
  });

  it('refuses options of a driver that is not selected, naming the fix', async () => {
    const fromEnv = await configError(
      loadConfig(
        {},
        { env: { STOWAGE_REDIS_URL: `redis://:${SECRET}@127.0.0.1:6380`, STOWAGE_REDIS_DB: '2' } },
      ),
    );
    expect(fromEnv.issues.map((issue) => issue.path)).toEqual([
      'STOWAGE_REDIS_DB',
      'STOWAGE_REDIS_URL',
    ]);
    expect(fromEnv.issues[0]?.message).toMatch(/selected driver is "memory".*STOWAGE_DRIVER=redis/);
    expect(inspect(fromEnv, { depth: 10 })).not.toContain(SECRET);

    const fromObject = await configError(
      loadConfig({ redis: { url: 'redis://127.0.0.1:6380' } }, { env: {} }),
    );
    expect(fromObject.issues).toEqual([
      { path: 'redis', message: expect.stringMatching(/remove the "redis" section/) },
    ]);

    const fromFile = await configError(
      loadConfig({}, { env: { STOWAGE_CONFIG_FILE: configFile({ driver: 'redis', memory: {} }) } }),
    );
    expect(fromFile.issues.map((issue) => issue.path)).toEqual(['memory']);
  });

  it('refuses a variable of an unselected driver without validating or loading that driver', async () => {
    const calls: string[] = [];
    const redis: DriverDefinition = {
      name: 'redis',
      environment: { STOWAGE_REDIS_URL: 'url' },
      validateOptions(section) {
        calls.push('validateOptions');
        return { ok: true, options: section };
      },
      async load() {
        calls.push('load');
        return () => {
          throw new Error('never created');
        };
      },
    };
    const error = await configError(
      loadConfig({}, { env: { STOWAGE_REDIS_URL: 'redis://127.0.0.1:6380' }, drivers: [redis] }),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual(['STOWAGE_REDIS_URL']);
    expect(calls).toEqual([]);
  });

  it('follows the feed and allows writes by default', async () => {
    const config = await loadConfig({}, { env: {} });
    expect(config).toMatchObject({ feed: 'on', readOnly: false });
  });

  it('reads feed and readOnly from the environment, a file and the object passed in', async () => {
    const fromEnv = await loadConfig(
      {},
      { env: { STOWAGE_FEED: 'off', STOWAGE_READ_ONLY: 'true' } },
    );
    expect(fromEnv).toMatchObject({ feed: 'off', readOnly: true });
    expect(fromEnv.toJSON()).toMatchObject({ feed: 'off', readOnly: true });
    for (const [text, value] of [
      ['1', true],
      ['0', false],
      ['FALSE', false],
    ] as const) {
      const config = await loadConfig({}, { env: { STOWAGE_READ_ONLY: text } });
      expect(config.readOnly).toBe(value);
    }
    const file = configFile({ feed: 'off', readOnly: true });
    const fromFile = await loadConfig({}, { env: { STOWAGE_CONFIG_FILE: file } });
    expect(fromFile).toMatchObject({ feed: 'off', readOnly: true });
    const fromObject = await loadConfig(
      { feed: 'on', readOnly: false },
      { env: { STOWAGE_CONFIG_FILE: file } },
    );
    expect(fromObject).toMatchObject({ feed: 'on', readOnly: false });
  });

  it('names the variable of a bad feed or readOnly value', async () => {
    const error = await configError(
      loadConfig({}, { env: { STOWAGE_FEED: 'maybe', STOWAGE_READ_ONLY: 'yes' } }),
    );
    expect(error.issues).toEqual([
      { path: 'STOWAGE_FEED', message: 'must be "on" or "off"' },
      { path: 'STOWAGE_READ_ONLY', message: 'must be true or false' },
    ]);
    const fromObject = await configError(
      loadConfig(
        { feed: true as unknown as 'on', readOnly: 'no' as unknown as boolean },
        { env: {} },
      ),
    );
    expect(fromObject.issues.map((issue) => issue.path)).toEqual(['feed', 'readOnly']);
  });
});
