import { setTimeout as sleep } from 'node:timers/promises';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';

/**
 * The harness's one retry policy: probe, pause a fixed interval, probe again, until a value comes
 * or the time is up. Every wait in the harness is bounded, so that a broken server fails fast.
 */
export interface WaitForOptions {
  /** Give up after this long. */
  readonly timeoutMs: number;
  /** Pause between two probes. Default 20 ms. */
  readonly intervalMs?: number;
  /** Extra context for the timeout message (for example the tail of a server log), read only on failure. */
  readonly details?: () => string;
  /** Stops waiting early with this error (for example when the process being waited for has exited). */
  readonly abortIf?: () => Error | undefined;
  /**
   * Whether an error thrown by the probe means "not yet". Default: every error does (servers refuse
   * connections for a while after they are spawned); any other is thrown at once.
   */
  readonly retryIf?: (error: unknown) => boolean;
}

/** The options {@link waitForSync} understands: nothing there may call back asynchronously. */
export type WaitForSyncOptions = Pick<WaitForOptions, 'timeoutMs' | 'intervalMs' | 'retryIf'>;

const defaultIntervalMs = 20;

/**
 * Polls `probe` until it returns a value other than `undefined`, under {@link WaitForOptions}. When
 * time runs out it throws `TIMEOUT`, naming `description` and the probe's last error.
 */
export async function waitFor<T>(
  description: string,
  probe: () => Promise<T | undefined>,
  options: WaitForOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const abort = options.abortIf?.();
    if (abort !== undefined) throw abort;
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = notYet(error, options);
    }
    if (Date.now() >= deadline) throw timedOut(description, options, lastError);
    await sleep(options.intervalMs ?? defaultIntervalMs);
  }
}

/**
 * {@link waitFor} for code that must not yield: exit hooks, where nothing asynchronous runs any
 * more. The thread sleeps between probes.
 */
export function waitForSync<T>(
  description: string,
  probe: () => T | undefined,
  options: WaitForSyncOptions,
): T {
  const deadline = Date.now() + options.timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  let lastError: unknown;
  for (;;) {
    try {
      const value = probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = notYet(error, options);
    }
    if (Date.now() >= deadline) throw timedOut(description, options, lastError);
    Atomics.wait(pause, 0, 0, options.intervalMs ?? defaultIntervalMs);
  }
}

/** Returns a probe's error when the policy retries it, or rethrows it. */
function notYet(error: unknown, options: Pick<WaitForOptions, 'retryIf'>): unknown {
  if (options.retryIf !== undefined && !options.retryIf(error)) throw error;
  return error;
}

function timedOut(
  description: string,
  options: Pick<WaitForOptions, 'timeoutMs' | 'details'>,
  lastError: unknown,
): HarnessError {
  const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  const details = options.details?.() ?? '';
  return new HarnessError(
    HarnessErrorCode.Timeout,
    `Timed out after ${options.timeoutMs} ms waiting for ${description}${reason}${details ? `\n${details}` : ''}`,
    { cause: lastError },
  );
}
