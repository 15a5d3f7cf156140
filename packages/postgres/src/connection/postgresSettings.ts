import { StowageConfigError } from '@stowage/core';
import { DEFAULT_PREFIX } from '@stowage/core/driver';
import type { ClientConfig, Pool } from 'pg';
import { parsePostgresOptions } from '../options/postgresOptionSchema.js';
import { POSTGRES_DEFAULTS, type PostgresDriverOptions } from '../PostgresDriverOptions.js';

/** Everything the store needs, resolved once from the options. */
export interface PostgresSettings {
  readonly prefix: string;
  /** The table's schema and name, unquoted. */
  readonly schema: string;
  readonly tableName: string;
  /** The table as SQL, both parts quoted: `"public"."stowage_items"`. */
  readonly table: string;
  readonly createTables: boolean;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly maxAttempts: number;
  /** The connection settings of every client the store makes (the pool's, the feed's). */
  readonly client: ClientConfig;
  /** A pool of the application's, never ended by the store. */
  readonly pool?: Pool;
  /** Strings no message or cause may carry. */
  readonly secrets: ReadonlyArray<string>;
}

const VERIFYING_MODES = new Set(['require', 'verify-ca', 'verify-full']);

/** What the URL says; explicit options win over it (pg itself would let the URL win). */
function urlParts(url: string | undefined): Partial<PostgresDriverOptions> & { tlsMode?: string } {
  if (url === undefined) return {};
  const parsed = new URL(url);
  const decode = (part: string) => (part === '' ? undefined : decodeURIComponent(part));
  const database = decode(parsed.pathname.replace(/^\//, ''));
  const parts = {
    host: decode(parsed.hostname.replace(/^\[|\]$/g, '')),
    port: parsed.port === '' ? undefined : Number(parsed.port),
    user: decode(parsed.username),
    password: decode(parsed.password),
    database,
    tlsMode: parsed.searchParams.get('sslmode') ?? undefined,
  };
  return Object.fromEntries(Object.entries(parts).filter(([, value]) => value !== undefined));
}

/** TLS for pg: verification on unless `rejectUnauthorized: false` was given explicitly. */
function sslOf(options: PostgresDriverOptions, tlsMode: string | undefined): ClientConfig['ssl'] {
  const tls = options.tls ?? {};
  const enabled = tls.enabled ?? (tlsMode !== undefined && VERIFYING_MODES.has(tlsMode));
  if (!enabled) return false;
  return {
    rejectUnauthorized: tls.rejectUnauthorized ?? true,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
    ...(tls.servername === undefined ? {} : { servername: tls.servername }),
  };
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/** Validates the options (throwing one `config` error with every problem) and resolves them. */
export function resolvePostgresSettings(input: PostgresDriverOptions): PostgresSettings {
  const options = parsePostgresOptions(input);
  const { tlsMode, ...fromUrl } = urlParts(options.url);
  if (tlsMode === 'disable' && options.tls?.enabled === true) {
    throw new StowageConfigError('Invalid PostgreSQL driver options', [
      { path: 'tls.enabled', message: 'contradicts sslmode=disable in the URL' },
    ]);
  }
  const merged = { ...fromUrl, ...options };
  const [schema, tableName] = (options.table ?? POSTGRES_DEFAULTS.table).includes('.')
    ? ((options.table ?? POSTGRES_DEFAULTS.table).split('.') as [string, string])
    : ['public', options.table as string];
  const commandTimeoutMs = options.commandTimeoutMs ?? POSTGRES_DEFAULTS.commandTimeoutMs;
  const connectTimeoutMs = options.connectTimeoutMs ?? POSTGRES_DEFAULTS.connectTimeoutMs;
  const client: ClientConfig = {
    host: merged.host ?? 'localhost',
    port: merged.port ?? 5432,
    ...(merged.database === undefined ? {} : { database: merged.database }),
    ...(merged.user === undefined ? {} : { user: merged.user }),
    ...(merged.password === undefined ? {} : { password: merged.password }),
    ssl: sslOf(options, tlsMode),
    connectionTimeoutMillis: connectTimeoutMs,
    // The server cancels a statement that runs too long; the client gives up on one whose answer
    // does not come (a frozen server never cancels anything), a little later.
    statement_timeout: commandTimeoutMs,
    query_timeout: commandTimeoutMs + 250,
    keepAlive: true,
    application_name: 'stowage',
  };
  return {
    prefix: options.prefix ?? DEFAULT_PREFIX,
    schema,
    tableName,
    table: `${quote(schema)}.${quote(tableName)}`,
    createTables: options.createTables ?? POSTGRES_DEFAULTS.createTables,
    poolSize: options.poolSize ?? POSTGRES_DEFAULTS.poolSize,
    connectTimeoutMs,
    commandTimeoutMs,
    maxAttempts: options.maxAttempts ?? POSTGRES_DEFAULTS.maxAttempts,
    client,
    ...(options.pool === undefined ? {} : { pool: options.pool }),
    secrets: [merged.password, options.url].filter((value): value is string => !!value),
  };
}
