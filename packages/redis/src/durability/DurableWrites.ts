import { StoreErrorCode, StowageError } from '@stowage/core';
import type { Redis } from 'ioredis';
import { DurabilityNotConfirmedError } from '../errors/durabilityNotConfirmed.js';
import type { WaitForReplicasOptions } from '../RedisDriverOptions.js';
import type { DedicatedConnectionPool } from '../upsert/DedicatedConnectionPool.js';
import { ReplicaCount } from './ReplicaCount.js';
import { type WaitedWrite, type WriteAnswer, writeThenWait } from './writeThenWait.js';

/** What a durable write came back with; `shortfall` is set when its replicas did not confirm. */
export interface DurableResult<T> {
  readonly reply: T;
  readonly shortfall: DurabilityNotConfirmedError | undefined;
}

/**
 * `waitForReplicas` of one store: every durable write runs on a dedicated connection of its own
 * (see {@link DedicatedConnectionPool}) and is followed there by WAIT for the replicas the rule
 * asks of that primary. A write that was answered but not confirmed (too few replicas, WAIT cut
 * short by a demotion, WAIT unanswered within the command timeout) is `durability-not-confirmed`
 * with the count that confirmed; only a write that itself went unanswered is `outcome-unknown`.
 */
export class DurableWrites {
  private readonly count: ReplicaCount;

  constructor(private readonly options: WaitForReplicasOptions) {
    this.count = new ReplicaCount(options.replicas);
  }

  /**
   * Runs `write` then WAIT on a connection borrowed from `pool`. `write` should resolve with its
   * error replies rather than reject, so that the caller sees them unwrapped; `asking` prefixes
   * ASKING (a cluster slot being imported by this node).
   */
  async send<T>(
    pool: DedicatedConnectionPool,
    operation: string,
    write: (client: Redis) => Promise<T>,
    asking = false,
  ): Promise<DurableResult<T>> {
    const connection = await pool.acquire(operation);
    const seen: WriteAnswer<T> = {};
    let clean = false;
    try {
      const sent = await connection.run(operation, 'write', (client) =>
        this.writeThenWait(client as Redis, write, seen, asking),
      );
      clean = typeof sent.confirmed === 'number';
      return { reply: sent.reply, shortfall: this.shortfall(operation, sent) };
    } catch (error) {
      const shortfall = this.unanswered(operation, seen, error);
      if (shortfall === undefined || seen.answer === undefined) throw error;
      return { reply: seen.answer.reply, shortfall };
    } finally {
      // A connection whose WAIT did not come back cleanly may still be blocked: never reused.
      pool.release(connection, clean);
    }
  }

  /** `write`, then WAIT, on `client` (already borrowed by the caller, e.g. mid-WATCH). */
  writeThenWait<T>(
    client: Redis,
    write: (client: Redis) => Promise<T>,
    seen: WriteAnswer<T>,
    asking = false,
  ): Promise<WaitedWrite<T>> {
    return writeThenWait(client, this.count, this.options.timeoutMs, write, seen, asking);
  }

  /** The error for a WAIT that confirmed too few replicas or failed; undefined when it did not. */
  shortfall(
    operation: string,
    { required, confirmed }: WaitedWrite<unknown>,
  ): DurabilityNotConfirmedError | undefined {
    if (typeof confirmed === 'number') {
      if (confirmed >= required) return undefined;
      return new DurabilityNotConfirmedError(
        operation,
        confirmed,
        required,
        this.options.timeoutMs,
      );
    }
    return new DurabilityNotConfirmedError(
      operation,
      0,
      required,
      this.options.timeoutMs,
      confirmed.failure,
    );
  }

  /**
   * For an operation that failed with `outcome-unknown` (the command timeout): when the write had
   * been answered and only its WAIT had not, the error that says so; otherwise undefined.
   */
  unanswered(
    operation: string,
    seen: WriteAnswer<unknown>,
    error: unknown,
  ): DurabilityNotConfirmedError | undefined {
    if (seen.answer === undefined || !StowageError.is(error, StoreErrorCode.OutcomeUnknown)) {
      return undefined;
    }
    return new DurabilityNotConfirmedError(
      operation,
      0,
      seen.answer.required,
      this.options.timeoutMs,
      error,
    );
  }
}
