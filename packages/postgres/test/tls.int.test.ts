import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCertificates, type PostgresServer, startPostgresServer } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTableSql,
  type PostgresDataStore,
  type PostgresDriverOptions,
} from '../src/index.js';
import { expectCode, item } from './support/errors.js';
import { useTableServer } from './support/tableServer.js';

const kind = { namespace: 'features' };
const file = useTableServer(() => startPostgresServer({ tls: { required: true } }));
const open = (options: PostgresDriverOptions) => file.open({ connectTimeoutMs: 2_000, ...options });

const certificates = () => {
  if (file.server.tls === undefined) throw new Error('the server has no TLS');
  return file.server.tls;
};

/** A write, its read-back and its event on the store's own feed, all over the store's TLS. */
async function expectWritesAndFeed(store: PostgresDataStore): Promise<void> {
  const events: string[] = [];
  const subscription = store.changeFeed.events$.subscribe((event) => events.push(event.type));
  expect(await store.upsert(kind, 'a', item('a', 1))).toEqual({ applied: true });
  expect(await store.get(kind, 'a')).toEqual(item('a', 1));
  await expect.poll(() => events, { timeout: 5_000 }).toEqual(['upsert']);
  subscription.unsubscribe();
}

describe('TLS', () => {
  it('works, verified, with the CA trusted, the feed included', async () => {
    const store = open({ tls: { enabled: true, ca: certificates().ca }, prefix: 'tls' });
    await expectWritesAndFeed(store);
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

describe('mutual TLS (pg_hba clientcert=verify-ca)', () => {
  let mutual: PostgresServer;
  beforeAll(async () => {
    mutual = await startPostgresServer({ tls: { authClients: true } });
    await mutual.query(createTableSql('public.stowage_items'));
  });
  afterAll(async () => {
    await mutual?.stop();
  });
  const tlsOf = () => {
    if (mutual.tls === undefined) throw new Error('the server has no TLS');
    return mutual.tls;
  };

  it('works with the client certificate, the feed included', async () => {
    const { ca, clientCert, clientKey } = tlsOf();
    const store = file.open({
      url: mutual.url,
      prefix: 'mutual',
      tls: { enabled: true, ca, cert: clientCert, key: clientKey },
    });
    await expectWritesAndFeed(store);
  });

  it('without a client certificate is a tls error that says the server asked for one', async () => {
    const store = file.open({ url: mutual.url, tls: { enabled: true, ca: tlsOf().ca } });
    const error = await expectCode(store.get(kind, 'a'), 'tls');
    expect(error.message).toMatch(/client certificate/);
  });

  it('with a client certificate of another authority is a tls error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stowage-pg-other-ca-'));
    const other = await createTestCertificates(dir).finally(() =>
      rm(dir, { recursive: true, force: true }),
    );
    const store = file.open({
      url: mutual.url,
      tls: { enabled: true, ca: tlsOf().ca, cert: other.clientCert, key: other.clientKey },
    });
    await expectCode(store.get(kind, 'a'), 'tls');
  });
});
