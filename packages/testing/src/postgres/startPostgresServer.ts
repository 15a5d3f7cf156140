import { HarnessError, HarnessErrorCode } from '../HarnessError.js';
import { prepareServerResources } from '../serverResources.js';
import { findPostgresBinaries } from './findPostgresBinaries.js';
import { type InitializedCluster, initPostgresCluster } from './initPostgresCluster.js';
import { PostgresProcess, postgresLogFile } from './PostgresProcess.js';
import type { PostgresServer, PostgresTlsOptions, PostgresUser } from './PostgresServer.js';
import { type PostgresTarget, runPostgresQuery } from './postgresClient.js';
import { serverAccount } from './serverAccount.js';

/** Options of {@link startPostgresServer}. */
export interface StartPostgresServerOptions {
  /** The database created at start and used by `url` and `query()`. Default `stowage`. */
  readonly database?: string;
  /** The superuser's name. Default `postgres`. */
  readonly user?: string;
  /** Login roles (not superusers unless asked) created at start. */
  readonly users?: readonly PostgresUser[];
  /** `ssl = on` with certificates generated for this server; `required` refuses plain connections. */
  readonly tls?: PostgresTlsOptions;
  /**
   * Extra postgresql.conf settings, written last so that they win, e.g.
   * `{ max_connections: 200, log_statement: 'all' }`.
   */
  readonly settings?: Readonly<Record<string, string | number | boolean>>;
  /** Give up (and report the server log) if the server is not ready after this long. Default 30 s. */
  readonly startTimeoutMs?: number;
}

/** A SQL identifier in double quotes. */
function identifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A SQL string literal (standard_conforming_strings is on). */
function stringLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Starts one throwaway PostgreSQL server (`initdb`, then `postgres`) in a temporary folder on a free
 * loopback port and resolves once it accepts connections, with the database and users created.
 * Durability is off (fsync, synchronous_commit, full_page_writes) for speed. As root, initdb and
 * postgres run as Debian's `postgres` account. `stop()` (or the exit of the test process) ends it
 * and removes its folder; a PostgreSQL already running on the machine is never used or touched.
 *
 * @example
 * const server = await startPostgresServer({ users: [{ name: 'app', password: 'secret' }] });
 * try {
 *   const { rows } = await server.query('SELECT 1 AS one');
 * } finally {
 *   await server.stop();
 * }
 */
export async function startPostgresServer(
  options: StartPostgresServerOptions = {},
): Promise<PostgresServer> {
  findPostgresBinaries();
  const account = serverAccount();
  const database = options.database ?? 'stowage';
  const user = options.user ?? 'postgres';
  const host = '127.0.0.1';
  const began = performance.now();
  const resources = await prepareServerResources('postgres', options.tls);
  const { dir, port, certificates } = resources;
  let instance: PostgresProcess | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await instance?.stop();
    await resources.release();
  };
  let cluster: InitializedCluster;
  let target: PostgresTarget;
  let startMs: number;
  try {
    cluster = await initPostgresCluster({
      dir,
      port,
      user,
      database,
      account,
      certificates,
      tls: options.tls,
      settings: options.settings,
    });
    target = {
      host,
      port,
      user,
      password: cluster.password,
      certificates,
      clientCertificate: options.tls?.authClients === true,
    };
    instance = new PostgresProcess({
      name: `postgres ${host}:${port}`,
      dir,
      dataDir: cluster.dataDir,
      logFile: postgresLogFile(dir),
      account,
      target,
      startTimeoutMs: options.startTimeoutMs ?? 30_000,
    });
    const startBegan = performance.now();
    await instance.start();
    await createUsers(target, options.users ?? []);
    startMs = performance.now() - startBegan;
  } catch (error) {
    await stop();
    throw error;
  }
  const server = instance;
  const encode = encodeURIComponent;
  return {
    host,
    port,
    database,
    user,
    password: cluster.password,
    url: `postgres://${encode(user)}:${encode(cluster.password)}@${host}:${port}/${encode(database)}`,
    tls: certificates,
    dir,
    get pid() {
      return server.pid;
    },
    get running() {
      return server.running;
    },
    timings: {
      initdbMs: cluster.initdbMs,
      startMs,
      totalMs: performance.now() - began,
      copied: cluster.copied,
    },
    stop,
    kill: () => server.kill(),
    pause: () => server.pause(),
    resume: () => server.resume(),
    async restart() {
      if (stopped) {
        throw new HarnessError(
          HarnessErrorCode.InvalidOptions,
          `postgres ${host}:${port} was stopped`,
        );
      }
      await server.stop();
      await server.start();
    },
    query: (sql, params) => runPostgresQuery(target, database, sql, params),
    logTail: (lines) => server.logTail(lines),
  };
}

/** The login roles asked for (the database is in the copied cluster already). */
async function createUsers(target: PostgresTarget, users: readonly PostgresUser[]): Promise<void> {
  for (const role of users) {
    const superuser = role.superuser === true ? 'SUPERUSER' : 'NOSUPERUSER';
    await runPostgresQuery(
      target,
      'postgres',
      `CREATE ROLE ${identifier(role.name)} LOGIN ${superuser} PASSWORD ${stringLiteral(role.password)}`,
      undefined,
    );
  }
}
