import { execFile } from 'node:child_process';
import { appendFile, chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestCertificates } from '../createTestCertificates.js';
import { HarnessError, HarnessErrorCode } from '../HarnessError.js';
import { findPostgresBinaries } from './findPostgresBinaries.js';
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
  readonly password: string;
  readonly account: ServerAccount | undefined;
  readonly certificates: TestCertificates | undefined;
  readonly tls: PostgresTlsOptions | undefined;
  readonly settings: Readonly<Record<string, string | number | boolean>> | undefined;
}

/** The environment of initdb and postgres: C locale, so that no missing system locale matters. */
export function serverEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C', LANG: 'C' };
}

/**
 * Creates the cluster in `dir/data` with `initdb --no-sync` (superuser and password given,
 * scram-sha-256) and writes the configuration: settings, pg_hba.conf and the TLS files (copied in
 * and owned by the server account, since PostgreSQL refuses a key others can read). Returns the
 * data directory.
 */
export async function initPostgresCluster(spec: InitPostgresClusterSpec): Promise<string> {
  const { initdb } = findPostgresBinaries();
  const data = join(spec.dir, 'data');
  const socketDir = join(spec.dir, 'socket');
  const passwordFile = join(spec.dir, 'superuser-password');
  await mkdir(socketDir);
  await writeFile(passwordFile, `${spec.password}\n`, { mode: 0o600 });
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
  }
  await giveToAccount(spec.dir, spec.account);
  await chmod(spec.dir, 0o700);
  try {
    await run(
      initdb,
      [
        '--pgdata',
        data,
        '--username',
        spec.user,
        `--pwfile=${passwordFile}`,
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-sync',
      ],
      {
        cwd: spec.dir,
        env: serverEnv(),
        timeout: 60_000,
        uid: spec.account?.uid,
        gid: spec.account?.gid,
      },
    );
  } catch (error) {
    const output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
    throw new HarnessError(
      HarnessErrorCode.StartFailed,
      `initdb failed in ${data}: ${output.trim() || (error as Error).message}`,
      { cause: error },
    );
  } finally {
    await rm(passwordFile, { force: true });
  }
  const config: PostgresConfigSpec = {
    port: spec.port,
    socketDir,
    tlsFiles,
    tls: spec.tls,
    settings: spec.settings,
  };
  // Appended and overwritten as root keeps the files' owner (initdb made them as the account).
  await appendFile(join(data, 'postgresql.conf'), postgresConfText(config));
  await writeFile(join(data, 'pg_hba.conf'), pgHbaText(config));
  return data;
}
