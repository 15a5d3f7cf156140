import pg from 'pg';
import type { TestCertificates } from '../createTestCertificates.js';
import { HarnessError, HarnessErrorCode } from '../HarnessError.js';
import type { PostgresQueryResult } from './PostgresServer.js';

/** How the harness itself reaches its server: TCP on loopback as the superuser. */
export interface PostgresTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly certificates: TestCertificates | undefined;
  /** Present the client certificate (the server asks for one under `authClients`). */
  readonly clientCertificate: boolean;
}

/** node-postgres settings for `target`, bounded in time so that a frozen server fails fast. */
function clientConfig(
  target: PostgresTarget,
  database: string,
  timeoutMs: number,
): pg.ClientConfig {
  const tls = target.certificates;
  return {
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    ssl:
      tls === undefined
        ? false
        : {
            ca: tls.ca,
            ...(target.clientCertificate ? { cert: tls.clientCert, key: tls.clientKey } : {}),
          },
  };
}

/**
 * Runs one statement on a fresh connection and closes it. A connection per call keeps the helper
 * right across kill(), pause() and restart(), where a kept connection would be broken or stuck.
 */
export async function runPostgresQuery<Row>(
  target: PostgresTarget,
  database: string,
  sql: string,
  params: readonly unknown[] | undefined,
  timeoutMs = 10_000,
): Promise<PostgresQueryResult<Row>> {
  const client = new pg.Client(clientConfig(target, database, timeoutMs));
  // An error event after the query settled (server gone) must not crash the test process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const reply: pg.QueryResult | pg.QueryResult[] = await client.query(
      sql,
      params === undefined ? undefined : [...params],
    );
    // Several statements in one string (no params) answer with one result each: keep the last.
    const result = Array.isArray(reply) ? reply.at(-1) : reply;
    return { rows: (result?.rows ?? []) as Row[], rowCount: result?.rowCount ?? 0 };
  } catch (error) {
    throw new HarnessError(
      HarnessErrorCode.ReplyError,
      `PostgreSQL on ${target.host}:${target.port} failed "${sql.slice(0, 80)}": ${(error as Error).message}`,
      {
        cause: error,
        ...(typeof (error as { code?: unknown }).code === 'string'
          ? { replyCode: (error as { code: string }).code }
          : {}),
      },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
