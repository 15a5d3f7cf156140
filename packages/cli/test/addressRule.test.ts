import { describe, expect, it } from 'vitest';
import { POSTGRES_TRANSPORT } from '../src/doctor/addressRule.js';
import { isLoopbackHost, transportFinding } from '../src/index.js';

// Test servers bind loopback only, so the rule for other addresses is checked here, without I/O.
describe('the transport rule of stowage doctor', () => {
  it('knows loopback addresses from the others', () => {
    for (const host of [
      'localhost',
      'LOCALHOST',
      'db.localhost',
      '127.0.0.1',
      '127.8.9.10',
      '::1',
      '[::1]',
      '0:0:0:0:0:0:0:1',
      '::ffff:127.0.0.1',
    ]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of [
      '10.0.0.5',
      '192.168.1.1',
      '0.0.0.0',
      '::',
      '::ffff:10.0.0.1',
      'fe80::1',
      'redis.internal',
      'contoso.redis.cache.windows.net',
      '128.0.0.1',
      'localhost.evil.com',
    ]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it('warns for a server off loopback without a password or without TLS', () => {
    expect(transportFinding(['127.0.0.1'], false, false)).toMatchObject({ status: 'ok' });
    expect(transportFinding(['10.0.0.5'], true, true)).toEqual({
      check: 'transport',
      status: 'ok',
      detail: 'password and TLS',
    });
    expect(transportFinding(['10.0.0.5', '127.0.0.1'], false, false)).toEqual({
      check: 'transport',
      status: 'warning',
      detail: 'no password and no TLS on 10.0.0.5, which is not a loopback address',
      fix: 'require a password (requirepass or an ACL user) and turn on TLS (rediss://, ssl=True)',
    });
    expect(transportFinding(['redis.internal'], true, false)).toMatchObject({
      status: 'warning',
      detail: 'no TLS on redis.internal, which is not a loopback address',
    });
    expect(transportFinding(['redis.internal'], false, true)).toMatchObject({
      status: 'warning',
      fix: 'require a password (requirepass or an ACL user)',
    });
  });
  it("names the fix in PostgreSQL's terms for a PostgreSQL server", () => {
    expect(transportFinding(['db.internal'], false, false, POSTGRES_TRANSPORT)).toEqual({
      check: 'transport',
      status: 'warning',
      detail: 'no password and no TLS on db.internal, which is not a loopback address',
      fix: 'require a password (scram-sha-256 in pg_hba.conf) or a client certificate and turn on TLS (sslmode=verify-full, or tls.enabled)',
    });
  });
});
