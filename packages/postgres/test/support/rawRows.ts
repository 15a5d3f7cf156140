import { parseStoredString } from '@stowage/core/driver';
import type { PostgresServer } from '@stowage/testing';

/** The highest bigint: the version of a row whose body says none, so no upsert replaces it. */
const UNREADABLE_VERSION = '9223372036854775807';

/**
 * Stores `raw` verbatim as the item of `key`, as another writer of the schema would: the version
 * and deleted columns are what the body says (a body that says nothing readable blocks upserts,
 * which then report it as corrupt).
 */
export async function writeRaw(
  server: PostgresServer,
  table: string,
  prefix: string,
  namespace: string,
  key: string,
  raw: string,
): Promise<void> {
  const fields = parseStoredString(raw);
  const [version, deleted] =
    fields === undefined ? [UNREADABLE_VERSION, false] : [String(fields.version), fields.deleted];
  await server.query(
    `INSERT INTO ${table} (prefix, kind, key_hash, key, version, deleted, item)
     VALUES ($1, $2, sha256($3::bytea), $3::bytea, $4::bigint, $5, $6)
     ON CONFLICT (prefix, kind, key_hash) DO UPDATE
       SET version = excluded.version, deleted = excluded.deleted, item = excluded.item`,
    [prefix, namespace, Buffer.from(key, 'utf8'), version, deleted, raw],
  );
}

/** Deletes every row of `prefix`, the initialized marker included. */
export async function clearPrefix(
  server: PostgresServer,
  table: string,
  prefix: string,
): Promise<void> {
  await server.query(`DELETE FROM ${table} WHERE prefix = $1`, [prefix]);
}
