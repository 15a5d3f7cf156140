import type pg from 'pg';
import type { PostgresSettings } from '../connection/postgresSettings.js';
import {
  COLUMNS_QUERY,
  type ColumnRow,
  checkLayout,
  createTableSql,
  RIGHTS_QUERY,
} from '../layout/tableLayout.js';

/**
 * Creates the table when asked (`IF NOT EXISTS`: an existing table is never changed), then checks
 * that the role may use it and that its columns are the layout's. Runs before the first operation
 * of a store; a failure is reported to that operation and the check is made again by the next.
 */
export async function ensureLayout(
  pool: pg.Pool,
  settings: PostgresSettings,
  create: boolean,
): Promise<void> {
  if (create) await pool.query(createTableSql(settings.table));
  const rights = await pool.query<{ present: boolean; allowed: boolean }>(RIGHTS_QUERY, [
    settings.table,
  ]);
  const columns = await pool.query<ColumnRow>(COLUMNS_QUERY, [settings.schema, settings.tableName]);
  checkLayout(settings, rights.rows[0] ?? { present: false, allowed: false }, columns.rows);
}
