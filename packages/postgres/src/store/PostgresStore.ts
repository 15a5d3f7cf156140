import { randomBytes } from 'node:crypto';
import { type DataKind, StowageError, StowageSerializationError } from '@stowage/core';
import {
  closedError,
  type FullDataSet,
  initMessage,
  parseStoredString,
  type SerializedItemDescriptor,
  toStoredString,
  type UpsertResult,
  validateFullDataSetYielding,
  validateKey,
  validateKind,
  validateUpsert,
} from '@stowage/core/driver';
import pg from 'pg';
import type { PostgresSettings } from '../connection/postgresSettings.js';
import { isRetryable, type OperationEffect, toStowageError } from '../errors/toStowageError.js';
import { changeChannel, upsertPayload } from '../feed/feedMessage.js';
import { PostgresChangeFeed } from '../feed/PostgresChangeFeed.js';
import type { PostgresDataStore } from '../PostgresDataStore.js';
import { ensureLayout } from './ensureLayout.js';
import { initTransaction } from './initTransaction.js';
import { type Statement, type Statements, statementsFor } from './statements.js';

const noop = () => {};

/** A `PersistentDataStore` on one PostgreSQL table, through a bounded pool. */
export class PostgresStore implements PostgresDataStore {
  readonly changeFeed: PostgresChangeFeed;
  readonly table: string;
  private readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly statements: Statements;
  private readonly channel: string;
  private readonly origin = randomBytes(9).toString('base64url');
  private layoutChecked: Promise<void> | undefined;
  private initialized = false;
  private closed = false;

  constructor(private readonly settings: PostgresSettings) {
    this.table = settings.table;
    this.ownsPool = settings.pool === undefined;
    this.pool =
      settings.pool ??
      new pg.Pool({ ...settings.client, max: settings.poolSize, idleTimeoutMillis: 30_000 });
    // An idle connection the server ends (a restart) is reported here; the next query reconnects.
    if (this.ownsPool) this.pool.on('error', noop);
    this.statements = statementsFor(settings.table);
    this.channel = changeChannel(settings.table, settings.prefix);
    const feedClient =
      settings.pool === undefined
        ? settings.client
        : (settings.pool as unknown as { options: pg.ClientConfig }).options;
    this.changeFeed = new PostgresChangeFeed({
      client: feedClient,
      channel: this.channel,
      origin: this.origin,
      heartbeatMs: Math.max(250, Math.min(settings.commandTimeoutMs, 2_000)),
      secrets: settings.secrets,
      markerExists: () => this.markerExists('checkInitialized'),
    });
  }

  async init(allData: FullDataSet): Promise<void> {
    this.assertOpen('init');
    await validateFullDataSetYielding(allData);
    await this.ready('init');
    await initTransaction(this.pool, this.statements, {
      prefix: this.settings.prefix,
      allData,
      payload: (namespace) => initMessage(this.origin, namespace),
      channel: this.channel,
      maxAttempts: this.settings.maxAttempts,
      fail: (error, effect) => this.failure(error, 'init', effect),
    });
    this.initialized = true;
  }

  async get(kind: DataKind, key: string): Promise<SerializedItemDescriptor | undefined> {
    this.assertOpen('get');
    validateKind(kind);
    validateKey(key);
    await this.ready('get');
    const { rows } = await this.run<{ item: string }>('get', 'read', this.statements.get, [
      this.settings.prefix,
      kind.namespace,
      Buffer.from(key, 'utf8'),
    ]);
    return rows[0] === undefined ? undefined : parsed(kind, key, rows[0].item);
  }

  async getAll(kind: DataKind): Promise<ReadonlyMap<string, SerializedItemDescriptor>> {
    this.assertOpen('getAll');
    validateKind(kind);
    await this.ready('getAll');
    const { rows } = await this.run<{ key: Buffer; item: string }>(
      'getAll',
      'read',
      this.statements.getAll,
      [this.settings.prefix, kind.namespace],
    );
    const items = new Map<string, SerializedItemDescriptor>();
    const corrupt: string[] = [];
    for (const row of rows) {
      const key = row.key.toString('utf8');
      const descriptor = parseStoredString(row.item);
      if (descriptor === undefined) corrupt.push(key);
      else items.set(key, descriptor);
    }
    if (corrupt.length > 0) throw new StowageSerializationError(kind.namespace, corrupt, items);
    return items;
  }

  async upsert(
    kind: DataKind,
    key: string,
    descriptor: SerializedItemDescriptor,
  ): Promise<UpsertResult> {
    this.assertOpen('upsert');
    validateUpsert(kind, key, descriptor);
    await this.ready('upsert');
    const item = toStoredString(key, descriptor);
    const keyBytes = Buffer.from(key, 'utf8');
    const payload = upsertPayload(
      this.origin,
      kind.namespace,
      key,
      descriptor.version,
      descriptor.deleted,
    );
    const { rows } = await this.run<{ applied: number }>(
      'upsert',
      'write',
      this.statements.upsert,
      [
        this.settings.prefix,
        kind.namespace,
        keyBytes,
        descriptor.version,
        descriptor.deleted,
        item,
        this.channel,
        payload,
      ],
    );
    if (rows[0]?.applied === 1) return { applied: true };
    // A statement of its own, so a snapshot of its own: it sees the row that blocked the write
    // (committed before the upsert returned), which the upsert's own snapshot may predate.
    const current = await this.run<{ item: string }>('upsert', 'read', this.statements.get, [
      this.settings.prefix,
      kind.namespace,
      keyBytes,
    ]);
    const row = current.rows[0];
    return row === undefined
      ? { applied: false }
      : { applied: false, current: parsed(kind, key, row.item) };
  }

  async isInitialized(): Promise<boolean> {
    this.assertOpen('isInitialized');
    if (this.initialized) return true;
    this.initialized = await this.markerExists('isInitialized');
    return this.initialized;
  }

  async listKinds(): Promise<ReadonlyArray<DataKind>> {
    this.assertOpen('listKinds');
    await this.ready('listKinds');
    const { rows } = await this.run<{ kind: string }>(
      'listKinds',
      'read',
      this.statements.listKinds,
      [this.settings.prefix],
    );
    const names = rows.map((row) => row.kind).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return names.map((namespace) => ({ namespace }));
  }

  async isAvailable(): Promise<boolean> {
    if (this.closed) return false;
    try {
      await this.run('isAvailable', 'read', { name: '', text: 'SELECT 1' }, []);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.changeFeed.close();
    // Ending waits for checked-out clients; a frozen server is not waited for beyond the timeouts.
    if (this.ownsPool) await this.pool.end().catch(noop);
  }

  /** Creates the table if it does not exist (needs the CREATE right on the schema). */
  async createTables(): Promise<void> {
    this.assertOpen('createTables');
    await this.ready('createTables', true);
  }

  private async markerExists(operation: string): Promise<boolean> {
    this.assertOpen(operation);
    await this.ready(operation);
    const { rows } = await this.run(operation, 'read', this.statements.marker, [
      this.settings.prefix,
    ]);
    return rows.length > 0;
  }

  /** Checks the layout once (creating the table first when asked); retried after a failure. */
  private ready(operation: string, create = false): Promise<void> {
    if (this.layoutChecked !== undefined && !create) return this.layoutChecked;
    const check = ensureLayout(
      this.pool,
      this.settings,
      create || this.settings.createTables,
    ).catch((error: unknown) => {
      if (this.layoutChecked === check) this.layoutChecked = undefined;
      throw this.failure(error, operation, 'read');
    });
    this.layoutChecked = check;
    return check;
  }

  private async run<Row extends pg.QueryResultRow>(
    operation: string,
    effect: OperationEffect,
    statement: Statement,
    values: unknown[],
  ): Promise<pg.QueryResult<Row>> {
    const query =
      statement.name === '' ? { text: statement.text, values } : { ...statement, values };
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.pool.query<Row>(query);
      } catch (error) {
        // A serialization failure or deadlock rolled the statement back (it runs on its own, in
        // autocommit): it is run again, a bounded number of times (a server whose default
        // isolation is SERIALIZABLE reports them under contention).
        if (isRetryable(error) && attempt < this.settings.maxAttempts && !this.closed) continue;
        throw this.failure(error, operation, effect);
      }
    }
  }

  private failure(error: unknown, operation: string, effect: OperationEffect): StowageError {
    if (this.closed && !StowageError.is(error)) return closedError(`PostgreSQL ${operation}`);
    if (isRetryable(error)) {
      return toStowageError(error, { operation, effect: 'read', secrets: this.settings.secrets });
    }
    return toStowageError(error, { operation, effect, secrets: this.settings.secrets });
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw closedError(`PostgreSQL ${operation}`);
  }
}

/** The descriptor a stored string says, or the serialization error naming kind and key. */
function parsed(kind: DataKind, key: string, item: string): SerializedItemDescriptor {
  const descriptor = parseStoredString(item);
  if (descriptor === undefined) throw new StowageSerializationError(kind.namespace, [key]);
  return descriptor;
}
