import type { Pool } from 'pg';

/** TLS settings of the connections. Verification is on unless switched off explicitly. */
export interface PostgresTlsOptions {
  /** Use TLS (default: what the URL's `sslmode` says, else off). */
  readonly enabled?: boolean;
  /** PEM certificates of the authorities to trust, in place of the system's. */
  readonly ca?: string;
  /** PEM client certificate and key, for certificate authentication. */
  readonly cert?: string;
  readonly key?: string;
  /** The name the server certificate must carry (default: the host). */
  readonly servername?: string;
  /** False accepts any certificate: only for tests. Default true. */
  readonly rejectUnauthorized?: boolean;
}

/** Options of the PostgreSQL driver. */
export interface PostgresDriverOptions {
  /** `postgresql://user:password@host:port/database`; other options override its parts. */
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  readonly database?: string;
  readonly user?: string;
  readonly password?: string;
  readonly tls?: PostgresTlsOptions;
  /** The prefix of the store: rows of other prefixes in the same table are never touched. */
  readonly prefix?: string;
  /** The table, optionally schema-qualified (`schema.table`). Default `public.stowage_items`. */
  readonly table?: string;
  /** Runs `CREATE TABLE IF NOT EXISTS` at start-up (needs the CREATE right). Default false. */
  readonly createTables?: boolean;
  /** Most connections the store's pool opens. Default 10. */
  readonly poolSize?: number;
  /** Longest wait for a connection (new or from the pool), in ms. Default 5000. */
  readonly connectTimeoutMs?: number;
  /** Longest a statement may run, server side and client side, in ms. Default 5000. */
  readonly commandTimeoutMs?: number;
  /** Runs of a statement or of `init` that meets a serialization failure or deadlock. Default 3. */
  readonly maxAttempts?: number;
  /** A pool of the application's: used as it is, never ended by `close()`. */
  readonly pool?: Pool;
}

/** The defaults of the options. */
export const POSTGRES_DEFAULTS = {
  table: 'public.stowage_items',
  createTables: false,
  poolSize: 10,
  connectTimeoutMs: 5_000,
  commandTimeoutMs: 5_000,
  maxAttempts: 3,
} as const;
