import { createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConnectionOptions, connect as connectTls } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestCertificates,
  type RedisServer,
  startCluster,
  startRedisServer,
  startSentinelGroup,
  type TestCertificates,
} from '../src/index.js';

/** Sends PING over TLS and resolves with the reply, or with the error code of the failure. */
function tlsPing(port: number, options: ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = connectTls({ host: '127.0.0.1', port, ...options }, () => {
      socket.write('PING\r\n');
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('TIMEOUT');
    }, 2_000);
    const done = (result: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    socket.once('data', (data) => done(data.toString().trim()));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
    socket.once('close', () => done('CLOSED'));
  });
}

/** Sends PING over plain TCP to a TLS-only port. */
function plainPing(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('TIMEOUT');
    }, 2_000);
    const done = (result: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    socket.once('data', (data) => done(data.toString().trim()));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
    socket.once('close', () => done('CLOSED'));
  });
}

describe('createTestCertificates', () => {
  let dir: string;
  let certificates: TestCertificates;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stowage-certs-test-'));
    const started = Date.now();
    certificates = await createTestCertificates(dir);
    console.info(`certificates generated in ${Date.now() - started} ms`);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('issues an EC P-256 server certificate for localhost, 127.0.0.1 and ::1, signed by the CA', () => {
    const ca = new X509Certificate(certificates.ca);
    const server = new X509Certificate(certificates.cert);
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkIP('::1')).toBe('::1');
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.verify(new X509Certificate(certificates.otherCa).publicKey)).toBe(false);
    expect(new X509Certificate(certificates.clientCert).verify(ca.publicKey)).toBe(true);
    expect(createPublicKey(certificates.cert).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(certificates.files.ca.startsWith(dir)).toBe(true);
  });
});

describe('TLS servers', () => {
  const servers: RedisServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  it('serves TLS only, trusted through the generated CA', async () => {
    const server = await startRedisServer({ tls: {}, password: 'pw' });
    servers.push(server);
    expect(server.url).toBe(`rediss://127.0.0.1:${server.port}`);
    expect(server.tls).toBeDefined();
    const tls = server.tls!;
    expect(await server.redisCli('SET', 'k', 'v')).toBe('OK');
    expect(await tlsPing(server.port, { ca: tls.ca })).toMatch(/^-NOAUTH/);
    expect(await tlsPing(server.port, { ca: tls.otherCa })).toMatch(
      /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/,
    );
    expect(await plainPing(server.port)).not.toMatch(/NOAUTH|PONG/);
  });

  it('requires a client certificate with authClients', async () => {
    const server = await startRedisServer({ tls: { authClients: true } });
    servers.push(server);
    const tls = server.tls!;
    expect(
      await tlsPing(server.port, { ca: tls.ca, cert: tls.clientCert, key: tls.clientKey }),
    ).toBe('+PONG');
    expect(await tlsPing(server.port, { ca: tls.ca })).not.toBe('+PONG');
    expect(await server.redisCli('PING')).toBe('PONG');
  });

  it('runs a Sentinel group over TLS', async () => {
    const started = Date.now();
    const group = await startSentinelGroup({ tls: { authClients: true }, password: 'pw' });
    console.info(`TLS sentinel group started in ${Date.now() - started} ms`);
    try {
      const primary = await group.primary();
      expect(primary.url.startsWith('rediss://')).toBe(true);
      expect(await primary.redisCli('WAIT', '2', '2000')).toBe('2');
      expect(await group.sentinelCli('PING')).toBe('PONG');
    } finally {
      await group.stop();
    }
  });

  it('runs a cluster over TLS', async () => {
    const started = Date.now();
    const cluster = await startCluster({ tls: {} });
    console.info(`TLS cluster started in ${Date.now() - started} ms`);
    try {
      const node = cluster.nodes[0]!;
      expect(await node.redisCli('-c', 'SET', 'tls-key', 'v')).toBe('OK');
      expect(await node.redisCli('-c', 'GET', 'tls-key')).toBe('v');
    } finally {
      await cluster.stop();
    }
  });
});
