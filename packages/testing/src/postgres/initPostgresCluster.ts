import { execFile } from 'node:child_process';
import { appendFile, chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestCertificates } from '../createTestCertificates.js';
import { HarnessError, HarnessErrorCode } from '../HarnessError.js';
import { clusterTemplate } from './clusterTemplate.js';
import type { PostgresTlsOptions } from './PostgresServer.js';
import { type PostgresConfigSpec, pgHbaText, postgresConfText } from './postgresConfig.js';
import { giveToAccount, type ServerAccount } from './serverAccount.js';

const run = promisify(execFile);

/** What {@link initPostgresCluster} needs. */
export interface InitPostgresClusterSpec {
  /** The server's folder; the data goes to `data/` inside it. */
  readonly dir: string;
  readonly port: number;
  readonly user: string;
  /** The database the server should have; made in the template, so a copy has it at once. */
  readonly database: string;
  readonly account: ServerAccount | undefined;
  readonly certificates: TestCertificates | undefined;
  readonly tls: PostgresTlsOptions | undefined;
  readonly settings: Readonly<Record<string, string | number | boolean>> | undefined;
}

/** The cluster {@link initPostgresCluster} made. */
export interface InitializedCluster {
  readonly dataDir: string;
  readonly password: string;
  /** initdb's time when this start ran it; otherwise the time of the copy. */
  readonly initdbMs: number;
  /** True when the data came from this process's template rather than a fresh initdb. */
  readonly copied: boolean;
}

/**
 * Puts a cluster in `dir/data` (a copy of this process's initdb template, made on first use, with
 * the database in it) and
 * writes its configuration: settings, pg_hba.conf and the TLS files (copied in and owned by the
 * server account, since PostgreSQL refuses a key others can read).
 */
export async function initPostgresCluster(
  spec: InitPostgresClusterSpec,
): Promise<InitializedCluster> {
  const began = performance.now();
  const { fresh, template: pending } = clusterTemplate(spec.user, spec.database, spec.account);
  const template = await pending;
  const dataDir = join(spec.dir, 'data');
  const socketDir = join(spec.dir, 'socket');
  await mkdir(socketDir);
  try {
    // -a keeps the owner (the server account) and the 0700 mode PostgreSQL insists on.
    await run('cp', ['-a', template.dataDir, dataDir], { timeout: 30_000 });
  } catch (error) {
    throw new HarnessError(
      HarnessErrorCode.StartFailed,
      `Could not copy the initialised cluster to ${dataDir}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const owned = [spec.dir, socketDir];
  let tlsFiles: PostgresConfigSpec['tlsFiles'];
  if (spec.certificates !== undefined) {
    const sslDir = join(spec.dir, 'ssl');
    await mkdir(sslDir, { recursive: true });
    tlsFiles = {
      cert: join(sslDir, 'server.crt'),
      key: join(sslDir, 'server.key'),
      ca: join(sslDir, 'ca.crt'),
    };
    await Promise.all([
      writeFile(tlsFiles.cert, spec.certificates.cert),
      writeFile(tlsFiles.key, spec.certificates.key, { mode: 0o600 }),
      writeFile(tlsFiles.ca, spec.certificates.ca),
    ]);
    owned.push(sslDir, tlsFiles.cert, tlsFiles.key, tlsFiles.ca);
  }
  const config: PostgresConfigSpec = {
    port: spec.port,
    socketDir,
    tlsFiles,
    tls: spec.tls,
    settings: spec.settings,
  };
  await appendFile(join(dataDir, 'postgresql.conf'), postgresConfText(config));
  await writeFile(join(dataDir, 'pg_hba.conf'), pgHbaText(config));
  // The copied data keeps its owner; only what was made here changes hands.
  await giveToAccount(owned, spec.account);
  await chmod(spec.dir, 0o700);
  return {
    dataDir,
    password: template.password,
    initdbMs: performance.now() - began,
    copied: !fresh,
  };
}
