import { StoreErrorCode, StowageError } from '@stowage/core';
import { linearDelay, type RetryPolicy, retry } from '../connection/retryPolicy.js';
import { replyCode } from '../errors/toStowageError.js';
import type { RedisMode } from '../RedisDriverOptions.js';

/** A cluster transaction that met a moving slot or a failing shard: 5 attempts, 100 ms apart and more. */
const REDIRECTED_TRANSACTION: RetryPolicy = { attempts: 5, delayMs: linearDelay(100) };

/** Replies that mean "not applied, try again (elsewhere)" in a cluster. */
const REDIRECTIONS = new Set(['MOVED', 'ASK', 'TRYAGAIN', 'CLUSTERDOWN']);

/** Failures after which a cluster's slot map may be out of date: the node did not answer. */
const UNRESPONSIVE: ReadonlySet<string> = new Set([
  StoreErrorCode.Timeout,
  StoreErrorCode.OutcomeUnknown,
  StoreErrorCode.Connection,
]);

/** True for a failure caused by a slot moving or a shard failing over: nothing was applied. */
function isClusterRedirection(error: unknown): boolean {
  for (let cause = error; cause !== undefined && cause !== null; ) {
    const code = replyCode(cause);
    if (code !== undefined && REDIRECTIONS.has(code)) return true;
    const previous = (cause as { previousErrors?: unknown }).previousErrors;
    if (Array.isArray(previous) && previous.some((e) => REDIRECTIONS.has(replyCode(e) ?? ''))) {
      return true;
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Runs a transaction (`init`, a WATCH upsert). In a cluster it can meet a slot that is moving
 * (TRYAGAIN, ASK, MOVED) or a shard that is failing over (CLUSTERDOWN): nothing was applied, so it
 * is sent again, a bounded number of times. Other modes run `op` once.
 */
export function retryRedirections<T>(mode: RedisMode, op: () => Promise<T>): Promise<T> {
  if (mode !== 'cluster') return op();
  return retry(REDIRECTED_TRANSACTION, isClusterRedirection, op);
}

/** True when `error` says the store's node did not answer (a timeout, or no connection). */
export function isUnresponsive(error: unknown): boolean {
  return StowageError.is(error) && UNRESPONSIVE.has(error.code);
}
