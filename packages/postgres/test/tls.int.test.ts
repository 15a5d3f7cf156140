import { type PostgresServer, startPostgresServer } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresDriverOptions } from '../src/index.js';
import { expectCode, item } from './support/errors.js';
import { useTableServer } from './support/tableServer.js';

const kind = { namespace: 'features' };
const file = useTableServer(() => startPostgresServer({ tls: { required: true } }));
const open = (options: PostgresDriverOptions) => file.open({ connectTimeoutMs: 2_000, ...options });

const certificates = () => {
  if (file.server.tls === undefined) throw new Error('the server has no TLS');
  return file.server.tls;
};

describe('TLS', () => {
  it('works, verified, with the CA trusted, the feed included', async () => {
    const store = open({ tls: { enabled: true, ca: certificates().ca }, prefix: 'tls' });
    const events: string[] = [];
    const subscription = store.changeFeed.events$.subscribe((event) => events.push(event.type));
    expect(await store.upsert(kind, 'a', item('a', 1))).toEqual({ applied: true });
    expect(await store.get(kind, 'a')).toEqual(item('a', 1));
    await expect.poll(() => events, { timeout: 5_000 }).toEqual(['upsert']);
    subscription.unsubscribe();
  });

  it('verifies by default: a certificate of an untrusted CA is a tls error', async () => {
    await expectCode(open({ tls: { enabled: true } }).get(kind, 'a'), 'tls');
    await expectCode(
      open({ tls: { enabled: true, ca: certificates().otherCa } }).get(kind, 'a'),
      'tls',
    );
  });

  it('a plain connection to a server that requires TLS is a tls error', async () => {
    await expectCode(open({}).get(kind, 'a'), 'tls');
  });

  it('sslmode=require in the URL turns TLS on, verified', async () => {
    await expectCode(open({ url: `${file.server.url}?sslmode=require` }).get(kind, 'a'), 'tls');
    const trusted = open({
      url: `${file.server.url}?sslmode=require`,
      tls: { ca: certificates().ca },
    });
    expect(await trusted.isAvailable()).toBe(true);
  });
});

describe('TLS refused by the server', () => {
  let plain: PostgresServer;
  beforeAll(async () => {
    plain = await startPostgresServer();
  });
  afterAll(async () => {
    await plain?.stop();
  });

  it('is a tls error', async () => {
    const store = file.open({ url: plain.url, tls: { enabled: true } });
    await expectCode(store.get(kind, 'a'), 'tls');
  });
});
