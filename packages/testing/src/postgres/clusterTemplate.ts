import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HarnessError, HarnessErrorCode } from '../HarnessError.js';
import { processWide } from '../processWide.js';
import { createWorkDir, removeWorkDir } from '../workDir.js';
import { findPostgresBinaries } from './findPostgresBinaries.js';
import { giveToAccount, type ServerAccount } from './serverAccount.js';

const run = promisify(execFile);

/** A freshly initialised data directory that servers of this process start from a copy of. */
export interface ClusterTemplate {
  /** The data directory as initdb left it (no harness configuration yet). */
  readonly dataDir: string;
  /** The superuser initdb created. */
  readonly user: string;
  /** Its password, generated once per template. */
  readonly password: string;
  /** How long initdb took. */
  readonly initdbMs: number;
}

/** The environment of initdb and postgres: C locale, so that no missing system locale matters. */
export function serverEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C', LANG: 'C' };
}

/**
 * The template for superuser `user` (`fresh` when this call started its initdb), made on first use with `initdb --no-sync` (scram-sha-256 for
 * TCP, a generated password). initdb takes about a second, a copy of its result a few tens of
 * milliseconds: every server of the process after the first starts that much sooner.
 */
export function clusterTemplate(
  user: string,
  database: string,
  account: ServerAccount | undefined,
): { readonly fresh: boolean; readonly template: Promise<ClusterTemplate> } {
  const templates = processWide(
    '@stowage/testing/postgresTemplates',
    () => new Map<string, Promise<ClusterTemplate>>(),
  );
  const key = `${user}\0${database}`;
  const known = templates.get(key);
  if (known !== undefined) return { fresh: false, template: known };
  const template = initTemplate(user, database, account);
  templates.set(key, template);
  // A failed initdb is not remembered: the next start tries again (and reports its own error).
  template.catch(() => templates.delete(key));
  return { fresh: true, template };
}

async function initTemplate(
  user: string,
  database: string,
  account: ServerAccount | undefined,
): Promise<ClusterTemplate> {
  const began = performance.now();
  const dir = await createWorkDir('postgres-template');
  const dataDir = join(dir, 'data');
  const passwordFile = join(dir, 'superuser-password');
  const password = randomBytes(18).toString('base64url');
  try {
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    await giveToAccount([dir, passwordFile], account);
    await chmod(dir, 0o700);
    await run(
      findPostgresBinaries().initdb,
      [
        '--pgdata',
        dataDir,
        '--username',
        user,
        `--pwfile=${passwordFile}`,
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-sync',
      ],
      {
        cwd: dir,
        env: serverEnv(),
        timeout: 60_000,
        ...(account === undefined ? {} : { uid: account.uid, gid: account.gid }),
      },
    );
    await createDatabaseOffline(dataDir, database, account);
  } catch (error) {
    await removeWorkDir(dir);
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new HarnessError(
      HarnessErrorCode.StartFailed,
      `Creating the cluster in ${dataDir} failed: ${`${stdout}${stderr}`.trim() || (error as Error).message}`,
      { cause: error },
    );
  } finally {
    await rm(passwordFile, { force: true });
  }
  return { dataDir, user, password, initdbMs: performance.now() - began };
}

/**
 * CREATE DATABASE in single-user mode, before any server runs: on a running server it costs a
 * few hundred milliseconds per start (it copies template0 and checkpoints), here once per process.
 */
async function createDatabaseOffline(
  dataDir: string,
  database: string,
  account: ServerAccount | undefined,
): Promise<void> {
  if (database === 'postgres') return; // initdb made it.
  const child = spawn(findPostgresBinaries().postgres, ['--single', '-D', dataDir, 'postgres'], {
    cwd: dataDir,
    env: serverEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: 60_000,
    ...(account === undefined ? {} : { uid: account.uid, gid: account.gid }),
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  child.stdin.end(`CREATE DATABASE "${database.replaceAll('"', '""')}" TEMPLATE template0\n`);
  const code = await exited;
  // Single-user mode exits 0 even when the statement failed; the error is in its output.
  if (code !== 0 || /\bERROR:/.test(output)) {
    throw new Error(`CREATE DATABASE in single-user mode failed: ${output.trim()}`);
  }
}
