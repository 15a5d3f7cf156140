import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findExecutable } from './findRedisBinaries.js';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';

const run = promisify(execFile);

/** File paths of the PEM files written by {@link createTestCertificates}. */
export interface TestCertificateFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  readonly clientCert: string;
  readonly clientKey: string;
  readonly otherCa: string;
}

/** PEM strings of a throwaway certificate set, plus where they were written. */
export interface TestCertificates {
  /** The CA that signed the server and client certificates: what a client should trust. */
  readonly ca: string;
  /** Server certificate, SAN `localhost`, `127.0.0.1`, `::1`; also valid as a TLS client (replication). */
  readonly cert: string;
  /** Private key of {@link TestCertificates.cert}. */
  readonly key: string;
  /** Client certificate signed by {@link TestCertificates.ca}, for mutual TLS. */
  readonly clientCert: string;
  /** Private key of {@link TestCertificates.clientCert}. */
  readonly clientKey: string;
  /** An unrelated self-signed CA: trusting only this must make the handshake fail (negative tests). */
  readonly otherCa: string;
  /** The same material as files, for servers and redis-cli, which take paths. */
  readonly files: TestCertificateFiles;
}

// EC P-256: generates in ~0.1 s where RSA-2048 takes up to 1 s, and every TLS stack in use accepts it.
const keyArgs = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
const days = '30';

/**
 * Writes a fresh CA, a server certificate (SAN localhost, 127.0.0.1, ::1), a client certificate and
 * an unrelated CA into `dir` using the `openssl` CLI, and returns them as PEM strings and paths.
 * Keys are unencrypted: these certificates exist only for tests.
 */
export async function createTestCertificates(dir: string): Promise<TestCertificates> {
  const openssl = findExecutable('openssl');
  if (openssl === undefined) {
    throw new HarnessError(
      HarnessErrorCode.BinaryMissing,
      'openssl not found on PATH: install the Debian/Ubuntu package "openssl" to run TLS tests',
    );
  }
  await mkdir(dir, { recursive: true });
  const file = (name: string) => join(dir, name);
  const sh = async (args: string[]) => {
    try {
      await run(openssl, args, { cwd: dir, timeout: 10_000 });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new HarnessError(
        HarnessErrorCode.CommandFailed,
        `openssl ${args[0]} failed: ${stderr.trim()}`,
        { cause: error },
      );
    }
  };
  const caArgs = (name: string, subject: string) => [
    'req',
    '-x509',
    ...keyArgs,
    '-keyout',
    file(`${name}.key`),
    '-out',
    file(`${name}.crt`),
    '-days',
    days,
    '-subj',
    subject,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ];
  const leafRequest = (name: string, subject: string) => [
    'req',
    ...keyArgs,
    '-keyout',
    file(`${name}.key`),
    '-out',
    file(`${name}.csr`),
    '-subj',
    subject,
  ];
  const sign = (name: string, extensions: string) => [
    'x509',
    '-req',
    '-in',
    file(`${name}.csr`),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-set_serial',
    String(Date.now() + Math.floor(Math.random() * 1_000_000)),
    '-days',
    days,
    '-out',
    file(`${name}.crt`),
    '-extfile',
    file(extensions),
  ];

  await Promise.all([
    writeFile(
      file('server.ext'),
      // clientAuth too: servers present this certificate when they connect to each other
      // (replication, cluster bus, sentinel links) under mutual TLS.
      'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n' +
        'keyUsage=critical,digitalSignature,keyEncipherment\n' +
        'extendedKeyUsage=serverAuth,clientAuth\n',
    ),
    writeFile(
      file('client.ext'),
      'keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n',
    ),
  ]);
  await Promise.all([
    sh(caArgs('ca', '/CN=stowage-testing CA')),
    sh(caArgs('other-ca', '/CN=stowage-testing unrelated CA')),
    sh(leafRequest('server', '/CN=localhost')),
    sh(leafRequest('client', '/CN=stowage-testing client')),
  ]);
  await Promise.all([sh(sign('server', 'server.ext')), sh(sign('client', 'client.ext'))]);

  const files: TestCertificateFiles = {
    ca: file('ca.crt'),
    cert: file('server.crt'),
    key: file('server.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
    otherCa: file('other-ca.crt'),
  };
  const [ca, cert, key, clientCert, clientKey, otherCa] = await Promise.all(
    [files.ca, files.cert, files.key, files.clientCert, files.clientKey, files.otherCa].map(
      (path) => readFile(path, 'utf8'),
    ),
  );
  return {
    ca: ca!,
    cert: cert!,
    key: key!,
    clientCert: clientCert!,
    clientKey: clientKey!,
    otherCa: otherCa!,
    files,
  };
}
