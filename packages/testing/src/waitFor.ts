import { setTimeout as sleep } from 'node:timers/promises';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';

/** How long and how often {@link waitFor} polls. */
export interface WaitForOptions {
  /** Give up after this long. Every wait in the harness is bounded so that a broken server fails fast. */
  readonly timeoutMs: number;
  /** Pause between two probes. */
  readonly intervalMs?: number;
  /** Extra context for the timeout message (for example the tail of a server log), read only on failure. */
  readonly details?: () => string;
  /** Stops waiting early with this error (for example when the process being waited for has exited). */
  readonly abortIf?: () => Error | undefined;
}

/**
 * Polls `probe` until it returns a value other than `undefined`. A probe that throws counts as "not
 * yet": servers refuse connections for a while after they are spawned, and that is expected. The last
 * such error is reported if time runs out.
 */
export async function waitFor<T>(
  description: string,
  probe: () => Promise<T | undefined>,
  options: WaitForOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const intervalMs = options.intervalMs ?? 20;
  let lastError: unknown;
  for (;;) {
    const abort = options.abortIf?.();
    if (abort !== undefined) throw abort;
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await sleep(intervalMs);
  }
  const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  const details = options.details?.() ?? '';
  throw new HarnessError(
    HarnessErrorCode.Timeout,
    `Timed out after ${options.timeoutMs} ms waiting for ${description}${reason}${details ? `\n${details}` : ''}`,
    { cause: lastError },
  );
}
