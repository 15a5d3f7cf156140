import type { PostgresDriverOptions } from '../PostgresDriverOptions.js';
import { resolvePostgresSettings } from './postgresSettings.js';

/** Where a store's server is and how it is reached, without secrets (for tools such as a doctor). */
export interface PostgresAccess {
  readonly host: string;
  readonly port: number;
  readonly database: string | undefined;
  readonly user: string | undefined;
  /** The connections use TLS. */
  readonly tls: boolean;
  /** A client certificate is presented. */
  readonly clientCertificate: boolean;
  readonly hasPassword: boolean;
  /** The table, schema-qualified and quoted as in SQL. */
  readonly table: string;
}

/** What the options resolve to, validated as the driver validates them (`config` errors). */
export function postgresAccess(options: PostgresDriverOptions): PostgresAccess {
  const { client, table } = resolvePostgresSettings(options);
  const ssl = client.ssl;
  return {
    host: client.host ?? 'localhost',
    port: client.port ?? 5432,
    database: client.database,
    user: client.user,
    tls: ssl !== false && ssl !== undefined,
    clientCertificate: typeof ssl === 'object' && ssl.cert !== undefined,
    hasPassword: client.password !== undefined,
    table,
  };
}
