import { createHash } from 'node:crypto';
import { MARKER_KIND } from '../layout/tableLayout.js';

/** One prepared statement: its name (unique per table, since a pool may serve several) and text. */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

/** The statements of a store on `table` (quoted, schema-qualified). */
export interface Statements {
  readonly get: Statement;
  readonly getAll: Statement;
  readonly upsert: Statement;
  readonly listKinds: Statement;
  readonly marker: Statement;
  readonly setMarker: Statement;
  readonly deleteKind: Statement;
  readonly insertMany: Statement;
  readonly insertManyMerging: Statement;
  readonly notify: Statement;
}

/** The INSERT of many rows of one kind, given as arrays of keys, versions, flags and items. */
function insertRows(table: string): string {
  return `INSERT INTO ${table} (prefix, kind, key_hash, key, version, deleted, item)
SELECT $1, $2, sha256(k), k, v, d, i
FROM unnest($3::bytea[], $4::bigint[], $5::boolean[], $6::text[]) AS u(k, v, d, i)`;
}

/** The statements of the store, named after a hash of the table so that pools can be shared. */
export function statementsFor(table: string): Statements {
  const tag = createHash('sha256').update(table).digest('hex').slice(0, 12);
  const named = (name: string, text: string): Statement => ({
    name: `stowage_${name}_${tag}`,
    text,
  });
  // The full key is compared besides its hash: a lookup never answers another key's row.
  const byKey = 'prefix = $1 AND kind = $2 AND key_hash = sha256($3::bytea) AND key = $3::bytea';
  return {
    get: named('get', `SELECT item FROM ${table} WHERE ${byKey}`),
    getAll: named('get_all', `SELECT key, item FROM ${table} WHERE prefix = $1 AND kind = $2`),
    // One atomic statement: the row is written only when none is stored or the stored version is
    // strictly lower; ON CONFLICT locks the stored row, so concurrent writers queue on it and
    // each compares with the version committed before it. The notification is part of the same
    // statement and is sent on commit, only when the row was written.
    upsert: named(
      'upsert',
      `WITH written AS (
  INSERT INTO ${table} AS stored (prefix, kind, key_hash, key, version, deleted, item)
  VALUES ($1, $2, sha256($3::bytea), $3::bytea, $4, $5, $6)
  ON CONFLICT (prefix, kind, key_hash) DO UPDATE
    SET version = excluded.version, deleted = excluded.deleted, item = excluded.item
    WHERE stored.version < excluded.version AND stored.key = excluded.key
  RETURNING 1
), announced AS (SELECT pg_notify($7, $8) FROM written)
SELECT (SELECT count(*) FROM written)::int AS applied, (SELECT count(*) FROM announced)::int AS announced`,
    ),
    listKinds: named(
      'list_kinds',
      `SELECT DISTINCT kind FROM ${table} WHERE prefix = $1 AND kind <> '${MARKER_KIND}'`,
    ),
    marker: named('marker', `SELECT 1 FROM ${table} WHERE prefix = $1 AND kind = '${MARKER_KIND}'`),
    // Written first in `init`: its row lock queues concurrent inits of the prefix, so that they
    // never deadlock on each other's rows.
    setMarker: named(
      'set_marker',
      `INSERT INTO ${table} AS stored (prefix, kind, key_hash, key, version, deleted, item)
VALUES ($1, '${MARKER_KIND}', sha256(''::bytea), ''::bytea, 0, false, '')
ON CONFLICT (prefix, kind, key_hash) DO UPDATE SET version = stored.version + 1`,
    ),
    deleteKind: named('delete_kind', `DELETE FROM ${table} WHERE prefix = $1 AND kind = $2`),
    // Many rows per statement as arrays. First a plain INSERT (ON CONFLICT's speculative
    // insertion costs a third more); when a concurrent upsert inserted one of the keys between
    // the DELETE and the INSERT (a unique violation), `init` runs again with the merging form,
    // in which `init` wins, as it would had it come later.
    insertMany: named('insert_many', insertRows(table)),
    insertManyMerging: named(
      'insert_many_merging',
      `${insertRows(table)}
ON CONFLICT (prefix, kind, key_hash) DO UPDATE
  SET key = excluded.key, version = excluded.version, deleted = excluded.deleted, item = excluded.item`,
    ),
    notify: named('notify', 'SELECT pg_notify($1, $2)'),
  };
}
