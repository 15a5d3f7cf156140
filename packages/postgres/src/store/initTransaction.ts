import type { StowageError } from '@stowage/core';
import { type FullDataSet, type KeyedItem, toStoredString } from '@stowage/core/driver';
import type pg from 'pg';
import { isRetryable, type OperationEffect } from '../errors/toStowageError.js';

/** A key a concurrent upsert inserted while `init` ran: run again, merging this time. */
const UNIQUE_VIOLATION = '23505';

import type { Statements } from './statements.js';

/** Rows per INSERT: one statement for most kinds, a few of bounded size for the largest. */
const ROWS_PER_STATEMENT = 20_000;

/** What one `init` writes, and how it reports failures. */
export interface InitRun {
  readonly prefix: string;
  readonly allData: FullDataSet;
  readonly channel: string;
  /** The notification of one replaced kind. */
  payload(namespace: string): string;
  readonly maxAttempts: number;
  fail(error: unknown, effect: OperationEffect): StowageError;
}

/** The rows of one kind as the columns' arrays; a key given twice keeps its last item. */
function columnsOf(items: ReadonlyArray<KeyedItem>) {
  const last = new Map<string, KeyedItem[1]>();
  for (const [key, descriptor] of items) last.set(key, descriptor);
  const keys: Buffer[] = [];
  const versions: number[] = [];
  const deleted: boolean[] = [];
  const bodies: string[] = [];
  for (const [key, descriptor] of last) {
    keys.push(Buffer.from(key, 'utf8'));
    versions.push(descriptor.version);
    deleted.push(descriptor.deleted);
    bodies.push(toStoredString(key, descriptor));
  }
  return { keys, versions, deleted, bodies };
}

/** One attempt: every kind replaced and the marker set in one transaction; notified on commit. */
async function attempt(
  client: pg.PoolClient,
  statements: Statements,
  run: InitRun,
  merging: boolean,
) {
  const insert = merging ? statements.insertManyMerging : statements.insertMany;
  await client.query('BEGIN');
  await client.query({ ...statements.setMarker, values: [run.prefix] });
  for (const { kind, items } of run.allData) {
    await client.query({ ...statements.deleteKind, values: [run.prefix, kind.namespace] });
    const { keys, versions, deleted, bodies } = columnsOf(items);
    for (let start = 0; start < keys.length; start += ROWS_PER_STATEMENT) {
      const end = start + ROWS_PER_STATEMENT;
      await client.query({
        ...insert,
        values: [
          run.prefix,
          kind.namespace,
          keys.slice(start, end),
          versions.slice(start, end),
          deleted.slice(start, end),
          bodies.slice(start, end),
        ],
      });
    }
    await client.query({
      ...statements.notify,
      values: [run.channel, run.payload(kind.namespace)],
    });
  }
}

/**
 * Replaces the kinds of `run.allData` and marks the prefix initialized, atomically: a reader sees
 * the kinds before or after, never half-replaced. A serialization failure, a deadlock or a key
 * inserted meanwhile by an upsert is tried again, up to `maxAttempts` times in all, then reported
 * (`backend`, or the code of the last failure). A failure before COMMIT was sent applied nothing;
 * a COMMIT whose answer is lost is `outcome-unknown`.
 */
export async function initTransaction(
  pool: pg.Pool,
  statements: Statements,
  run: InitRun,
): Promise<void> {
  let merging = false;
  for (let attemptNo = 1; ; attemptNo += 1) {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw run.fail(error, 'read');
    }
    let committing = false;
    try {
      await attempt(client, statements, run, merging);
      committing = true;
      await client.query('COMMIT');
      client.release();
      return;
    } catch (error) {
      // The connection is not reused: its transaction may be open, or its answer pending.
      client.release(true);
      const raced = (error as { code?: unknown }).code === UNIQUE_VIOLATION;
      merging ||= raced;
      if (!committing && (raced || isRetryable(error)) && attemptNo < run.maxAttempts) continue;
      throw run.fail(error, committing ? 'write' : 'read');
    }
  }
}
