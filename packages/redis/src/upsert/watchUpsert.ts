import { type DataKind, StoreErrorCode, StowageError } from '@stowage/core';
import { parseStoredString, type UpsertReadWriteHook } from '@stowage/core/driver';
import type { Redis } from 'ioredis';
import { type RetryPolicy, retry } from '../connection/retryPolicy.js';
import type { DurableWrites } from '../durability/DurableWrites.js';
import type { WriteAnswer } from '../durability/writeThenWait.js';
import { slotRedirection } from '../errors/toStowageError.js';
import type { CasOutcome } from './CasOutcome.js';
import type { DedicatedConnectionPool } from './DedicatedConnectionPool.js';

/** One upsert through the WATCH strategy. */
export interface WatchUpsert {
  readonly pool: DedicatedConnectionPool;
  readonly maxAttempts: number;
  readonly hook: UpsertReadWriteHook | undefined;
  readonly kind: DataKind;
  readonly key: string;
  readonly hashKey: string;
  readonly stored: string;
  readonly version: number;
  /** The store's change channel and the message announcing the write, sent inside the MULTI. */
  readonly channel: string;
  readonly announcement: string;
  /** WAIT after EXEC, on the same dedicated connection. */
  readonly durable?: DurableWrites | undefined;
}

/** A transaction whose EXEC a concurrent writer aborted: it is tried again. */
const CONFLICT = Symbol('conflict');

/**
 * Attempts against concurrent writers: a short random pause before each retry, so that two
 * processes that keep colliding fall out of step.
 */
const conflicts = (attempts: number): RetryPolicy => ({
  attempts,
  delayMs: (attempt) => Math.random() * 2 * (attempt + 1),
});

/** How long one upsert waits out a cluster slot that is being moved (ASK, TRYAGAIN). */
const MIGRATING_SLOT_WAIT_MS = 2000;
const WHILE_MIGRATING: RetryPolicy = { delayMs: () => 50 };

/**
 * Compare-and-set from the client, for servers where scripts are not allowed: WATCH the kind's
 * hash, read the item, compare, then MULTI/SPUBLISH/HSET/EXEC. EXEC is aborted when anyone changed the hash
 * since the WATCH; the attempt is then repeated, at most `maxAttempts` times, after which the
 * caller gets a `conflict` error (never an endless loop, never a success that did not happen).
 *
 * In a cluster, a transaction that meets the store's slot while it is being moved to another node
 * (ASK, TRYAGAIN: nothing was applied) is repeated after a short pause until the move is over, for
 * at most {@link MIGRATING_SLOT_WAIT_MS} in all; such a repeat is not an attempt of its own. Its
 * dedicated connection cannot follow ASK: WATCH, the read and MULTI would each need ASKING on the
 * other node. A MOVED is the caller's to follow.
 */
export async function watchUpsert(upsert: WatchUpsert): Promise<CasOutcome> {
  const migrationEnd = Date.now() + MIGRATING_SLOT_WAIT_MS;
  const stillMigrating = (error: unknown) =>
    slotRedirection(error) === 'migrating' && Date.now() < migrationEnd;
  try {
    return await retry(
      conflicts(upsert.maxAttempts),
      (error) => error === CONFLICT,
      (attempt) =>
        retry(WHILE_MIGRATING, stillMigrating, async () => {
          const outcome = await transaction(upsert, attempt);
          if (outcome === CONFLICT) throw CONFLICT;
          return outcome;
        }),
    );
  } catch (error) {
    if (error === CONFLICT) {
      const { kind, key } = upsert;
      throw new StowageError(
        StoreErrorCode.Conflict,
        `Redis upsert of "${kind.namespace}" item ${JSON.stringify(key.slice(0, 100))} lost ${upsert.maxAttempts} attempts in a row to concurrent writers; nothing was written`,
      );
    }
    if (slotRedirection(error) === 'migrating') {
      // No cause: the redirection must not make the caller start the wait over again.
      throw new StowageError(
        StoreErrorCode.Connection,
        `Redis upsert failed: the store's slot was still being moved to another cluster node after ${MIGRATING_SLOT_WAIT_MS} ms (${(error as Error).message}); nothing was written`,
      );
    }
    throw error;
  }
}

/** One WATCH transaction on a connection of its own; CONFLICT when EXEC was aborted. */
async function transaction(
  upsert: WatchUpsert,
  attempt: number,
): Promise<CasOutcome | typeof CONFLICT> {
  const { pool, hook, kind, key, hashKey, stored, version, durable, channel, announcement } =
    upsert;
  const connection = await pool.acquire();
  // Announced in the same transaction: a refused SPUBLISH aborts it (EXECABORT), nothing applied.
  const exec = (client: Redis) =>
    client.multi().spublish(channel, announcement).hset(hashKey, key, stored).exec();
  type Executed = Awaited<ReturnType<typeof exec>>;
  const seen: WriteAnswer<Executed> = {};
  let reusable = false;
  try {
    const outcome = await connection.run(
      'upsert',
      'write',
      async (client): Promise<CasOutcome | typeof CONFLICT> => {
        // WATCH and HGET go out together: one round trip for both.
        const [, old] = await Promise.all([client.watch(hashKey), client.hget(hashKey, key)]);
        // Between the read and the write, on every attempt (whatever the comparison decides).
        await hook?.({ kind, key, attempt });
        if (old !== null) {
          const current = parseStoredString(old);
          if (current === undefined || current.version >= version) {
            await client.unwatch();
            return current === undefined
              ? { status: 'corrupt' }
              : { status: 'rejected', current: old };
          }
        }
        if (durable === undefined) return executed(await exec(client as Redis));
        const sent = await durable.writeThenWait(client as Redis, exec, seen);
        const result = executed(sent.reply);
        if (result === CONFLICT) return CONFLICT;
        return { status: 'applied', shortfall: durable.shortfall('upsert', sent) };
      },
    );
    reusable = true;
    return outcome;
  } catch (error) {
    // EXEC was answered, its WAIT was not: applied, durability not confirmed.
    const shortfall = durable?.unanswered('upsert', seen, error);
    if (shortfall === undefined || seen.answer === undefined) throw error;
    const result = executed(seen.answer.reply);
    return result === CONFLICT ? CONFLICT : { status: 'applied', shortfall };
  } finally {
    pool.release(connection, reusable);
  }
}

/** What EXEC's answer means: CONFLICT when a WATCH aborted it; its failure thrown. */
function executed(results: [Error | null, unknown][] | null): CasOutcome | typeof CONFLICT {
  if (results === null) return CONFLICT;
  const failure = results.find(([error]) => error !== null)?.[0];
  if (failure !== undefined && failure !== null) throw failure;
  return { status: 'applied' };
}
