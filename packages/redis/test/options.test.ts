import { loadConfig, StowageConfigError } from '@stowage/core';
import { redactText } from '@stowage/core/driver';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  createRedisDriver,
  parseRedisOptions,
  redisDriverDefinition,
  validateRedisOptions,
} from '../src/index.js';
import { readValidRedisOptions } from '../src/options/parseRedisOptions.js';

// Pure checks of options: no server, no socket (clients are created lazily and never used).
const SECRET = 'hunter2-Secret';

function issuesOf(input: unknown) {
  const result = validateRedisOptions(input);
  if (result.ok) throw new Error('expected problems');
  return result.issues;
}

describe('validateRedisOptions', () => {
  it('accepts nothing at all, and a complete set of options', () => {
    expect(validateRedisOptions(undefined)).toEqual({ ok: true, options: {} });
    const options = {
      mode: 'standalone',
      host: 'redis.internal',
      port: 6380,
      username: 'app',
      password: SECRET,
      db: 2,
      tls: { ca: '-----BEGIN CERTIFICATE-----\n...', servername: 'redis.internal' },
      prefix: 'app',
      connectTimeoutMs: 3000,
      commandTimeoutMs: 1000,
      upsertStrategy: 'watch',
      maxUpsertAttempts: 5,
      trackForeignWrites: true,
    };
    expect(validateRedisOptions(options)).toEqual({ ok: true, options });
  });

  it('accepts the string forms environment variables arrive in', () => {
    expect(
      validateRedisOptions({
        port: '6380',
        db: '3',
        connectTimeoutMs: '1500',
        tls: { enabled: 'true', rejectUnauthorized: 'false' },
      }),
    ).toEqual({
      ok: true,
      options: {
        port: 6380,
        db: 3,
        connectTimeoutMs: 1500,
        tls: { enabled: true, rejectUnauthorized: false },
      },
    });
    expect(validateRedisOptions({ tls: 'false' })).toEqual({ ok: true, options: { tls: false } });
  });

  it('takes trackForeignWrites in every mode, off by default', () => {
    const nodes = [{ host: 'h', port: 7000 }];
    for (const section of [
      {},
      { mode: 'sentinel', sentinels: nodes, name: 'm' },
      { nodes, mode: 'cluster' },
    ]) {
      expect(readValidRedisOptions(section).settings.trackForeignWrites).toBe(false);
      for (const [given, value] of [
        ['true', true],
        ['0', false],
        [true, true],
      ] as const) {
        const { settings } = readValidRedisOptions({ ...section, trackForeignWrites: given });
        expect(settings.trackForeignWrites).toBe(value);
      }
    }
    expect(issuesOf({ trackForeignWrites: 'yes' })).toEqual([
      { path: 'trackForeignWrites', message: 'must be true or false' },
    ]);
  });
  it('takes trackForeignWrites from STOWAGE_REDIS_TRACK_FOREIGN_WRITES', async () => {
    const env = { STOWAGE_DRIVER: 'redis', STOWAGE_REDIS_TRACK_FOREIGN_WRITES: 'true' };
    const config = await loadConfig({}, { env });
    expect(config.driverOptions).toEqual({ trackForeignWrites: true });
    const error = await loadConfig(
      {},
      { env: { ...env, STOWAGE_REDIS_TRACK_FOREIGN_WRITES: 'on' } },
    ).then(
      () => undefined,
      (caught: unknown) => caught as StowageConfigError,
    );
    expect(error?.issues).toEqual([
      { path: 'STOWAGE_REDIS_TRACK_FOREIGN_WRITES', message: 'must be true or false' },
    ]);
  });

  it('reports every problem at once, each with its path', () => {
    const issues = issuesOf({
      mode: 'ring',
      url: 'http://x',
      port: 70000,
      db: -1,
      tls: { ca: '/etc/ca.pem', cert: '-----BEGIN CERTIFICATE-----', nope: 1 },
      prefix: '',
      connectTimeoutMs: 0,
      commandTimeoutMs: '2s',
      upsertStrategy: 'optimistic',
      upsertHook: 'not a function',
      maxUpsertAttempts: 0,
      extra: true,
    });
    expect(issues.map((issue) => issue.path).sort()).toEqual(
      [
        'extra',
        'mode',
        'url',
        'port',
        'port',
        'db',
        'tls.ca',
        'tls.nope',
        'tls.key',
        'prefix',
        'connectTimeoutMs',
        'commandTimeoutMs',
        'upsertStrategy',
        'upsertHook',
        'maxUpsertAttempts',
      ].sort(),
    );
    expect(issues.find((issue) => issue.path === 'mode')?.message).toMatch(/must be one of/);
  });

  it.each([
    ['ftp://host', /redis:\/\/ or rediss:\/\//],
    ['redis://', /URL|host/],
    ['redis://host/abc', /database number/],
    ['redis://host:6379/0?tls=true', /query/],
    ['not a url', /URL/],
    ['redis://:%ZZsecret@host:6379', /percent-encoding/],
    ['redis://us%G0er:pw@host:6379', /percent-encoding/],
    ['rediss://:%E0%A4%A@host:6379', /percent-encoding/],
    ['redis+sentinel://:%ZZsecret@host:26379/mymaster', /percent-encoding/],
    ['redis+cluster://:%ZZsecret@host:7000', /percent-encoding/],
  ])('refuses the url %s', (url, message) => {
    const [issue] = issuesOf({ url });
    expect(issue?.path).toBe('url');
    expect(issue?.message).toMatch(message);
  });

  it('keeps the URL forms of its help texts readable through the secret scrubber', async () => {
    for (const url of ['redis//host', `redis+sentinel://${SECRET}@`, 'redis+cluster://']) {
      const error = await loadConfig({ driver: 'redis', redis: { url } }, { env: {} }).then(
        () => undefined,
        (caught: unknown) => caught as StowageConfigError,
      );
      const message = error?.issues[0]?.message ?? '';
      expect(message).toMatch(/redis(\+sentinel|\+cluster)?:\/\/\[/);
      expect(message).not.toContain('[redacted]');
    }
    expect(redactText(`redis://app:${SECRET}@host`, [])).toBe('redis://app:[redacted]@host');
  });

  it("takes a fixed replica count or 'attached' for waitForReplicas, nothing else", () => {
    for (const replicas of [2, '2', 'attached'] as const) {
      const result = validateRedisOptions({ waitForReplicas: { replicas, timeoutMs: 500 } });
      expect(result.ok, String(replicas)).toBe(true);
    }
    expect(issuesOf({ waitForReplicas: { replicas: 'all', timeoutMs: 500 } })).toEqual([
      {
        path: 'waitForReplicas.replicas',
        message: "must be an integer from 1 to 100, or 'attached'",
      },
    ]);
    expect(issuesOf({ waitForReplicas: { replicas: 0, timeoutMs: 500 } })[0]?.path).toBe(
      'waitForReplicas.replicas',
    );
  });

  it('never repeats a secret in a problem', () => {
    const issues = issuesOf({
      url: `redis://user:${SECRET}@host:6379/notadb`,
      password: SECRET,
      port: SECRET,
      tls: { key: SECRET, ca: SECRET },
      username: 5,
    });
    expect(issues.length).toBeGreaterThanOrEqual(5);
    const error = new StowageConfigError('Invalid Redis driver options', issues);
    expect(JSON.stringify(issues)).not.toContain(SECRET);
    expect(error.message).not.toContain(SECRET);
  });

  it('refuses settings given twice or contradicting each other', () => {
    const issues = issuesOf({
      url: `rediss://app:${SECRET}@host:6379/1`,
      host: 'other',
      port: 1,
      username: 'app',
      password: SECRET,
      db: 1,
      tls: { enabled: false },
    });
    expect(issues.map((issue) => issue.path).sort()).toEqual(
      ['db', 'host', 'password', 'port', 'tls', 'username'].sort(),
    );
    expect(issuesOf({ tls: { enabled: false, ca: '-----BEGIN X' } })[0]?.path).toBe('tls.ca');
  });

  it('refuses connection options next to a client handed in, and a client with a keyPrefix', () => {
    const client = new Redis({ lazyConnect: true });
    const prefixed = new Redis({ lazyConnect: true, keyPrefix: 'x:' });
    try {
      expect(
        issuesOf({ client, url: 'redis://h', password: SECRET, tls: true }).map((i) => i.path),
      ).toEqual(['url', 'password', 'tls']);
      expect(issuesOf({ client: prefixed })[0]?.message).toMatch(/keyPrefix/);
      expect(issuesOf({ client: { hget: 1 } })[0]?.path).toBe('client');
      expect(validateRedisOptions({ client, prefix: 'p' })).toMatchObject({ ok: true });
    } finally {
      client.disconnect();
      prefixed.disconnect();
    }
  });

  it('never throws, whatever it is given', () => {
    for (const input of [null, 42, 'redis://x', [], new Date(), { tls: [] }, { tls: null }]) {
      expect(validateRedisOptions(input).ok).toBe(false);
    }
  });
});

describe('parseRedisOptions and createRedisDriver', () => {
  it('throw one StowageConfigError listing every problem', () => {
    const error = (() => {
      try {
        parseRedisOptions({ port: 'x', db: 'y' });
      } catch (caught) {
        return caught;
      }
    })();
    expect(StowageConfigError.is(error)).toBe(true);
    expect((error as StowageConfigError).issues.map((issue) => issue.path)).toEqual(['port', 'db']);
    expect(() => createRedisDriver({ prefix: '' })).toThrow(StowageConfigError);
  });

  it('create a store without any I/O, exposing the effective prefix', async () => {
    const store = createRedisDriver({ port: 1, prefix: 'app' });
    expect(store.effectivePrefix).toBe('app');
    expect(createRedisDriver().effectivePrefix).toBe('stowage');
    await store.close();
  });
});

describe('redisDriverDefinition', () => {
  it('maps STOWAGE_REDIS_* variables to options', () => {
    expect(redisDriverDefinition.name).toBe('redis');
    expect(redisDriverDefinition.environment).toMatchObject({
      STOWAGE_REDIS_URL: 'url',
      STOWAGE_REDIS_PASSWORD: 'password',
      STOWAGE_REDIS_TLS_CA: 'tls.ca',
      STOWAGE_REDIS_TRACK_FOREIGN_WRITES: 'trackForeignWrites',
    });
  });

  it('validates the section with string values, and leaves the prefix to the top level', () => {
    expect(
      redisDriverDefinition.validateOptions({ url: 'redis://h:6379', commandTimeoutMs: '900' }),
    ).toEqual({ ok: true, options: { url: 'redis://h:6379', commandTimeoutMs: 900 } });
    const result = redisDriverDefinition.validateOptions({ prefix: 'p', port: 'x' });
    expect(result.ok ? [] : result.issues.map((issue) => issue.path)).toEqual(['port', 'prefix']);
    expect(redisDriverDefinition.validateOptions(undefined)).toEqual({ ok: true, options: {} });
  });

  it('creates a store with the prefix of the context', async () => {
    const create = await redisDriverDefinition.load();
    const store = create({ port: 1 }, { prefix: 'ctx' });
    expect((store as { effectivePrefix?: string }).effectivePrefix).toBe('ctx');
    await store.close();
  });
});
