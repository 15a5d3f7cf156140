import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How a loop that retries behaves: how often it tries at most and how long it pauses between two
 * attempts. One shape for every retry of the driver, whether the driver runs the loop itself
 * ({@link retry}) or ioredis does (its `retryStrategy` options take {@link RetryPolicy.delayMs}).
 */
export interface RetryPolicy {
  /** Attempts in all, the first included; no limit when absent. */
  readonly attempts?: number;
  /** The pause in ms after attempt number `attempt` (from 1) failed, before the next one. */
  delayMs(attempt: number): number;
}

/** Pauses that double from `firstMs` up to `maxMs`. */
export function exponentialDelay(firstMs: number, maxMs: number): (attempt: number) => number {
  // The exponent is capped so that a loop that runs forever never reaches Infinity.
  return (attempt) => Math.min(firstMs * 2 ** Math.min(attempt - 1, 30), maxMs);
}

/** Pauses that grow by `stepMs` with every attempt: `stepMs`, 2 × `stepMs`, ... */
export function linearDelay(stepMs: number): (attempt: number) => number {
  return (attempt) => stepMs * attempt;
}

/**
 * Runs `attempt` until it settles with a value, fails with an error `retryable` does not accept,
 * or has used up `policy.attempts`; the last error is then thrown as it is. Pauses
 * `policy.delayMs(n)` after failed attempt `n`.
 */
export async function retry<T>(
  policy: RetryPolicy,
  retryable: (error: unknown) => boolean,
  attempt: (n: number) => Promise<T>,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if ((policy.attempts !== undefined && n >= policy.attempts) || !retryable(error)) throw error;
      await sleep(policy.delayMs(n));
    }
  }
}
