import { loadConfig, StowageConfigError } from '@stowage/core';
import { redactText } from '@stowage/core/driver';
import { describe, expect, it } from 'vitest';
import { validateRedisOptions } from '../src/index.js';
import { parseConnectionString } from '../src/options/parseConnectionString.js';

// Connection strings as Azure Cache for Redis and StackExchange.Redis users copy them. No server.
const SECRET = 'hunter2-Secret';

function issuesOf(input: unknown) {
  const result = validateRedisOptions(input);
  if (result.ok) throw new Error('expected problems');
  return result.issues;
}

describe('connection strings', () => {
  it('read the Azure form into the options it stands for', () => {
    expect(
      validateRedisOptions({
        url: `contoso.redis.cache.windows.net:6380,password=${SECRET},ssl=True,abortConnect=False`,
      }),
    ).toEqual({
      ok: true,
      options: { host: 'contoso.redis.cache.windows.net', port: 6380, password: SECRET, tls: true },
    });
  });

  it('map every known part, case-insensitively, with StackExchange defaults', () => {
    expect(
      validateRedisOptions({
        url: 'cache.local,USER=app,Password=pw,SSL=true,sslHost=cache.example,connectTimeout=1500,syncTimeout=800,defaultDatabase=3',
      }),
    ).toEqual({
      ok: true,
      options: {
        host: 'cache.local',
        port: 6380, // the TLS default of StackExchange.Redis
        username: 'app',
        password: 'pw',
        tls: { enabled: true, servername: 'cache.example' },
        connectTimeoutMs: 1500,
        commandTimeoutMs: 800,
        db: 3,
      },
    });
    expect(parseConnectionString('localhost')).toEqual({
      endpoints: [{ host: 'localhost', port: 6379 }],
    });
    expect(parseConnectionString('[::1]:7000')).toEqual({
      endpoints: [{ host: '::1', port: 7000 }],
    });
  });

  it('name the sentinels and the master with serviceName', () => {
    expect(validateRedisOptions({ url: 's1,s2:26380,serviceName=mymaster,password=pw' })).toEqual({
      ok: true,
      options: {
        mode: 'sentinel',
        sentinels: [
          { host: 's1', port: 26379 },
          { host: 's2', port: 26380 },
        ],
        name: 'mymaster',
        password: 'pw',
      },
    });
  });

  it('need the cluster mode stated for several endpoints without serviceName', () => {
    expect(issuesOf({ url: 'n1:7000,n2:7001' })).toEqual([
      { path: 'url', message: expect.stringContaining("state mode 'cluster'") },
    ]);
    expect(validateRedisOptions({ url: 'n1:7000,n2:7001', mode: 'cluster' })).toEqual({
      ok: true,
      options: {
        mode: 'cluster',
        nodes: [
          { host: 'n1', port: 7000 },
          { host: 'n2', port: 7001 },
        ],
      },
    });
  });

  it('refuse unknown parts, bad values and settings given twice, never repeating the string', () => {
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      [`h,password=${SECRET},allowAdmin=true`, {}, 'url', 'unknown part "allowAdmin"'],
      [`h,password=${SECRET},ssl=yes`, {}, 'url', 'ssl that is neither true nor false'],
      [`h,password=${SECRET},syncTimeout=soon`, {}, 'url', 'syncTimeout'],
      [`h,password=${SECRET},defaultDatabase=-1`, {}, 'url', 'defaultDatabase'],
      [`h,password=${SECRET},sslHost=x`, {}, 'url', 'sslHost without ssl=True'],
      [`password=${SECRET}`, {}, 'url', 'at least one host'],
      [`h:99999,password=${SECRET}`, {}, 'url', 'not host[:port]'],
      [`h,password=${SECRET},password=x`, {}, 'url', 'twice'],
      [`h,password=${SECRET}`, { password: 'other' }, 'password', 'also given in url'],
      [`h,ssl=true,password=${SECRET}`, { tls: false }, 'tls', 'also given in url'],
      [`s1,serviceName=m,password=${SECRET}`, { mode: 'cluster' }, 'url', 'sentinel'],
    ];
    for (const [url, extra, path, message] of cases) {
      const issues = issuesOf({ url, ...extra });
      expect(issues, url).toContainEqual({ path, message: expect.stringContaining(message) });
      expect(JSON.stringify(issues)).not.toContain(SECRET);
    }
  });

  it('combine ssl with TLS settings given as options', () => {
    const ca = '-----BEGIN CERTIFICATE-----\n...';
    expect(validateRedisOptions({ url: 'h:6380,ssl=True', tls: { ca } })).toEqual({
      ok: true,
      options: { host: 'h', port: 6380, tls: { ca, enabled: true } },
    });
  });

  it('are accepted in STOWAGE_REDIS_URL, and their password never printed', async () => {
    const url = `cache.local:6380,password=${SECRET},ssl=True,abortConnect=False`;
    const config = await loadConfig(
      {},
      { env: { STOWAGE_DRIVER: 'redis', STOWAGE_REDIS_URL: url, STOWAGE_REDIS_PORT: '1' } },
    ).catch((error: unknown) => error);
    expect(StowageConfigError.is(config)).toBe(true);
    expect(String(config)).not.toContain(SECRET);
    const ok = await loadConfig({}, { env: { STOWAGE_DRIVER: 'redis', STOWAGE_REDIS_URL: url } });
    expect(ok.driverOptions).toMatchObject({ host: 'cache.local', port: 6380, tls: true });
    expect(JSON.stringify(ok)).not.toContain(SECRET);
    expect(redactText(`connecting to ${url}`, [])).toBe(
      'connecting to cache.local:6380,password=[redacted],ssl=True,abortConnect=False',
    );
  });
});
