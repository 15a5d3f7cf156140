import { afterEach, describe, expect, it, vi } from 'vitest';
import { RECONNECT } from '../src/connection/clientPolicy.js';
import { exponentialDelay, linearDelay, retry } from '../src/connection/retryPolicy.js';

// The one retry loop of the driver and the pauses it is given.

afterEach(() => {
  vi.useRealTimers();
});

describe('retry', () => {
  it('tries again after each retryable failure, pausing as the policy says, up to its attempts', async () => {
    vi.useFakeTimers();
    const pauses: number[] = [];
    const calls: number[] = [];
    const policy = {
      attempts: 3,
      delayMs: (n: number) => {
        pauses.push(n);
        return 10 * n;
      },
    };
    const running = retry(
      policy,
      () => true,
      async (n) => {
        calls.push(n);
        throw new Error(`attempt ${n}`);
      },
    );
    const outcome = expect(running).rejects.toThrow('attempt 3');
    await vi.advanceTimersByTimeAsync(30);
    await outcome;
    expect(calls).toEqual([1, 2, 3]);
    // No pause after the last attempt: the caller hears at once.
    expect(pauses).toEqual([1, 2]);
  });

  it('throws a failure the predicate refuses at once, and returns the first success', async () => {
    let calls = 0;
    await expect(
      retry(
        { delayMs: () => 0 },
        (error) => error !== 'fatal',
        async () => {
          calls += 1;
          throw 'fatal';
        },
      ),
    ).rejects.toBe('fatal');
    expect(calls).toBe(1);
    const value = await retry(
      { delayMs: () => 0 },
      () => true,
      async (n) => {
        if (n < 3) throw new Error('not yet');
        return n;
      },
    );
    expect(value).toBe(3);
  });

  it('the delay shapes: doubling up to a ceiling (the reconnect backoff), and growing by a step', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 100].map(RECONNECT.delayMs)).toEqual([
      50, 100, 200, 400, 800, 1000, 1000, 1000,
    ]);
    expect(exponentialDelay(1, 2 ** 40)(1000)).toBe(2 ** 30);
    expect([1, 2, 5].map(linearDelay(100))).toEqual([100, 200, 500]);
  });
});
