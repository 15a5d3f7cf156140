import type { TestCertificates } from '../createTestCertificates.js';
import type { TlsOptions } from '../TlsOptions.js';

/** A login role created at start-up. */
export interface PostgresUser {
  /** Role name. */
  readonly name: string;
  /** Password, checked with scram-sha-256. */
  readonly password: string;
  /** Make the role a superuser. Default false: an ordinary role, to test missing rights. */
  readonly superuser?: boolean;
}

/** TLS settings of {@link startPostgresServer}: `ssl = on` with certificates generated for the server. */
export interface PostgresTlsOptions extends TlsOptions {
  /**
   * Accept TCP connections only over TLS (pg_hba `hostssl`): a plain connection is refused. Default
   * false: both are accepted. Implied by `authClients`.
   */
  readonly required?: boolean;
}

/** Rows of one statement run through {@link PostgresServer.query}. */
export interface PostgresQueryResult<Row = Record<string, unknown>> {
  readonly rows: Row[];
  /** Rows returned or affected; 0 for statements that report none. */
  readonly rowCount: number;
}

/** How long the start took, in milliseconds. */
export interface PostgresStartupTimings {
  /**
   * Creating the data directory and its configuration: `initdb` for the first server of the
   * process (per superuser name), a copy of that first cluster for the others (`copied`).
   */
  readonly initdbMs: number;
  /** Spawning `postgres` until it accepts connections, plus creating the users. */
  readonly startMs: number;
  /** The whole start, port and certificates included. */
  readonly totalMs: number;
  /** True when the data directory is a copy of this process's first cluster rather than a fresh initdb. */
  readonly copied: boolean;
}

/** A running (or stopped) PostgreSQL server started by this package. */
export interface PostgresServer {
  /** Always `127.0.0.1`: the server listens on IPv4 loopback only. */
  readonly host: string;
  /** The TCP port (leased, free when the server started). */
  readonly port: number;
  /** The database created at start (default `stowage`). */
  readonly database: string;
  /** The superuser's name. */
  readonly user: string;
  /** The superuser's password, generated once per process (servers start from one initdb). */
  readonly password: string;
  /**
   * `postgres://user:password@127.0.0.1:port/database` as the superuser. With TLS, add the CA to
   * the client (the URL carries no `sslmode`, so that the client's own TLS options decide).
   */
  readonly url: string;
  /** Certificates when TLS is on: trust `ca`; present `clientCert`/`clientKey` for mutual TLS. */
  readonly tls: TestCertificates | undefined;
  /** The server's temporary folder (data in `data/`, sockets, log); removed by stop(). */
  readonly dir: string;
  /** Pid of the current postmaster (changes on restart). */
  readonly pid: number;
  /** True while the postmaster runs (also while paused). */
  readonly running: boolean;
  /** How long initdb and the first start took. */
  readonly timings: PostgresStartupTimings;
  /** Fast shutdown (SIGINT), then removes the folder and frees the port. Idempotent. */
  stop(): Promise<void>;
  /**
   * SIGKILL of the postmaster and its children (a crash): folder and port stay reserved, so
   * restart() brings it back with crash recovery. With `synchronous_commit = off`, commits of the
   * last fraction of a second may be lost, as after a real crash.
   */
  kill(): Promise<void>;
  /** SIGSTOP of the postmaster and its children: connections stay open but nothing answers. */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Fast shutdown if it runs, then starts again on the same port with the same data. */
  restart(): Promise<void>;
  /**
   * Runs one statement as the superuser on {@link PostgresServer.database} through `pg`, on a fresh
   * connection with a 10 s timeout. Several statements without `params` answer with the last rows.
   */
  query<Row = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<PostgresQueryResult<Row>>;
  /** The last lines of the server log, for assertion messages. */
  logTail(lines?: number): string;
}
