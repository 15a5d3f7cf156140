import { StowageError } from '@stowage/core';
import type { PostgresSettings } from '../connection/postgresSettings.js';

/** The columns of the table, in order, with the type information_schema reports for each. */
export const COLUMNS: ReadonlyArray<readonly [name: string, type: string]> = [
  ['prefix', 'text'],
  ['kind', 'text'],
  ['key_hash', 'bytea'],
  ['key', 'bytea'],
  ['version', 'bigint'],
  ['deleted', 'boolean'],
  ['item', 'text'],
];

/**
 * The kind of the row that marks a prefix initialized. `$` is outside the characters of a
 * namespace, so no kind of items can take this name.
 */
export const MARKER_KIND = '$inited';

/**
 * The statement that creates the table: rows keyed by prefix, kind and the SHA-256 of the key
 * (a btree entry must stay under ~2.7 kB, and keys may be 8 KiB), the key itself as UTF-8 bytes
 * (`text` refuses NUL), compared in full on every lookup.
 */
export function createTableSql(table: string): string {
  const columns = COLUMNS.map(([name, type]) => `  ${name} ${type} NOT NULL,`).join('\n');
  return `CREATE TABLE IF NOT EXISTS ${table} (\n${columns}\n  PRIMARY KEY (prefix, kind, key_hash)\n)`;
}

/** The rights the application's role needs on the table (`role` quoted as the caller wants it). */
export function grantSql(table: string, schema: string, role: string): string {
  return [
    `GRANT USAGE ON SCHEMA "${schema.replaceAll('"', '""')}" TO ${role}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${role}`,
  ].join(';\n');
}

/** One column as information_schema reports it. */
export interface ColumnRow {
  readonly column_name: string;
  readonly data_type: string;
  readonly is_nullable: string;
}

/** The query the start-up check runs: the table's columns, and whether it exists at all. */
export const COLUMNS_QUERY = `SELECT column_name, data_type, is_nullable
  FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2
  ORDER BY ordinal_position`;
/** Whether the table exists (visible or not) and the role may read and write it. */
export const RIGHTS_QUERY = `SELECT to_regclass($1) IS NOT NULL AS present,
  to_regclass($1) IS NOT NULL AND has_table_privilege($1, 'SELECT, INSERT, UPDATE, DELETE') AS allowed`;

/**
 * Compares what the server reports with the layout, and throws a `config` error quoting the
 * CREATE statement when they differ (or `permission` when the role may not use the table). The
 * driver never changes a table it did not create: a different layout is the operator's to fix.
 */
export function checkLayout(
  settings: PostgresSettings,
  rights: { readonly present: boolean; readonly allowed: boolean },
  columns: ReadonlyArray<ColumnRow>,
): void {
  const create = createTableSql(settings.table);
  if (!rights.present) {
    throw new StowageError(
      'config',
      `PostgreSQL table ${settings.table} does not exist: create it (or set createTables) with\n${create}`,
    );
  }
  if (!rights.allowed) {
    throw new StowageError(
      'permission',
      `PostgreSQL role lacks rights on ${settings.table}; grant them with\n${grantSql(settings.table, settings.schema, '<role>')}`,
    );
  }
  const found = new Map(columns.map((column) => [column.column_name, column]));
  const problems = COLUMNS.flatMap(([name, type]) => {
    const column = found.get(name);
    if (column === undefined) return [`column ${name} is missing`];
    if (column.data_type !== type) return [`column ${name} is ${column.data_type}, not ${type}`];
    if (column.is_nullable !== 'NO') return [`column ${name} must be NOT NULL`];
    return [];
  });
  const extra = columns.filter((column) => !COLUMNS.some(([name]) => name === column.column_name));
  problems.push(...extra.map((column) => `column ${column.column_name} is not part of the layout`));
  if (problems.length > 0) {
    throw new StowageError(
      'config',
      `PostgreSQL table ${settings.table} does not have the layout of the driver (${problems.join('; ')}); it must be\n${create}`,
    );
  }
}
