import { afterEach, describe, expect, it, vi } from 'vitest';
import { Deadlines } from '../src/connection/Deadlines.js';

// The command timeout's one coarse sweep: what it fails, when, and that it stops when idle.

afterEach(() => {
  vi.useRealTimers();
});

describe('Deadlines', () => {
  /** Something in flight, as an ioredis command looks to the sweep. */
  const inFlight = () => {
    const item = {
      isSettled: false,
      failure: undefined as Error | undefined,
      reject(error: Error) {
        item.isSettled = true;
        item.failure = error;
      },
    };
    return item;
  };

  it('fails what has not settled by its deadline, at most one sweep late, and only that', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const deadlines = new Deadlines(100);
    const late = inFlight();
    const answered = inFlight();
    deadlines.track(late);
    deadlines.track(answered);
    vi.advanceTimersByTime(60);
    answered.isSettled = true;
    expect(late.failure).toBeUndefined();
    vi.advanceTimersByTime(60);
    expect(late.failure?.message).toBe('Command timed out');
    expect(answered.failure).toBeUndefined();
    // Nothing left in flight: the sweep stops.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('races a promise: its value or failure within the timeout, "Command timed out" after it', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const deadlines = new Deadlines(100);
    const mapped = (error: unknown) => new Error(`mapped: ${(error as Error).message}`);
    await expect(deadlines.race(Promise.resolve('value'), mapped)).resolves.toBe('value');
    await expect(deadlines.race(Promise.reject(new Error('refused')), mapped)).rejects.toThrow(
      'mapped: refused',
    );
    const never = deadlines.race(new Promise(() => {}), mapped);
    const outcome = expect(never).rejects.toThrow('mapped: Command timed out');
    await vi.advanceTimersByTimeAsync(120);
    await outcome;
  });
});
