import type { KeyedItem } from '@stowage/core';
import { initMessage } from '@stowage/core/driver';
import type pg from 'pg';
import { upsertPayload } from '../src/feed/feedMessage.js';
import type { Statements } from '../src/store/statements.js';

// The raw-pg baseline: the driver's own statements (same text, prepared under the same names on
// the baseline's own connections), the same values, and the same work on the answer, without the
// driver's validation, error mapping and timeouts.

/** What the driver gives per item of `getAll`: the stored string and the version read from it. */
export interface RawItem {
  readonly version: number;
  readonly serializedItem: string;
}

/** Rows per INSERT of `init`, as the driver sends them. */
const ROWS_PER_STATEMENT = 5_000;

/** A reply of an upsert: applied, or the version stored (when a row is). */
export type UpsertReply = { applied: boolean; current?: number };

/** The driver's operations by hand on `pool`, for one prefix of `table`. */
export class RawPostgres {
  constructor(
    private readonly pool: pg.Pool,
    private readonly statements: Statements,
    private readonly prefix: string,
    private readonly channel: string,
    private readonly origin = 'raw-pg',
  ) {}

  /** `get`: the row's item, JSON.parse of it. */
  async get(namespace: string, key: string): Promise<unknown> {
    const { rows } = await this.pool.query<{ item: string }>({
      ...this.statements.get,
      values: [this.prefix, namespace, Buffer.from(key, 'utf8')],
    });
    return rows[0] === undefined ? undefined : JSON.parse(rows[0].item);
  }

  /**
   * `getAll`: every row of the kind, into a Map of the string and its version (`JSON.parse` of
   * each). Not of the parsed bodies: the driver drops them too.
   */
  async getAll(namespace: string): Promise<Map<string, RawItem>> {
    const { rows } = await this.pool.query<{ key: Buffer; item: string }>({
      ...this.statements.getAll,
      values: [this.prefix, namespace],
    });
    const map = new Map<string, RawItem>();
    for (const row of rows) {
      const { version } = JSON.parse(row.item) as { version: number };
      map.set(row.key.toString('utf8'), { version, serializedItem: row.item });
    }
    return map;
  }

  /** `upsert`: the atomic statement with its NOTIFY; when refused, the row read again. */
  async upsert(namespace: string, key: string, version: number, item: string) {
    const keyBytes = Buffer.from(key, 'utf8');
    const { rows } = await this.pool.query<{ applied: number }>({
      ...this.statements.upsert,
      values: [
        this.prefix,
        namespace,
        keyBytes,
        version,
        false,
        item,
        this.channel,
        upsertPayload(this.origin, namespace, key, version, false),
      ],
    });
    if (rows[0]?.applied === 1) return { applied: true };
    const current = await this.pool.query<{ item: string }>({
      ...this.statements.get,
      values: [this.prefix, namespace, keyBytes],
    });
    const row = current.rows[0];
    if (row === undefined) return { applied: false };
    return { applied: false, current: (JSON.parse(row.item) as { version: number }).version };
  }

  /**
   * `init` of one kind: BEGIN, the marker, DELETE of the kind, INSERTs of the rows as arrays,
   * the NOTIFY, COMMIT, on one connection.
   */
  async init(namespace: string, items: ReadonlyArray<KeyedItem>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query({ ...this.statements.setMarker, values: [this.prefix] });
      await client.query({ ...this.statements.deleteKind, values: [this.prefix, namespace] });
      for (let start = 0; start < items.length; start += ROWS_PER_STATEMENT) {
        const slice = items.slice(start, start + ROWS_PER_STATEMENT);
        await client.query({
          ...this.statements.insertMany,
          values: [
            this.prefix,
            namespace,
            slice.map(([key]) => Buffer.from(key, 'utf8')),
            slice.map(([, d]) => d.version),
            slice.map(([, d]) => d.deleted),
            slice.map(([, d]) => d.serializedItem as string),
          ],
        });
      }
      await client.query({
        ...this.statements.notify,
        values: [this.channel, initMessage(this.origin, namespace)],
      });
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}
