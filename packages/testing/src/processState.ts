import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { waitFor } from './waitFor.js';

/**
 * True when `pid` no longer runs. A zombie counts as gone: a stopped server can linger as one for
 * ~2 s before it is reaped, and `kill -0` still succeeds on it.
 */
export function isProcessGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM means it exists but belongs to another user: not gone.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  return processStateLetter(pid) === 'Z';
}

/** True when `pid` exists and has not exited. */
export function isProcessAlive(pid: number): boolean {
  return !isProcessGone(pid);
}

function processStateLetter(pid: number): string | undefined {
  try {
    // /proc/<pid>/stat is "pid (comm) S ..."; comm may hold spaces and parentheses, so read after the
    // last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    // No procfs (macOS): ask ps.
    try {
      return execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' })
        .trim()
        .slice(0, 1);
    } catch {
      return undefined;
    }
  }
}

/** Waits, bounded, until `pid` is gone (zombies included). */
async function waitForProcessGone(pid: number, timeoutMs: number): Promise<void> {
  await waitFor(
    `process ${pid} to end after SIGKILL`,
    async () => isProcessGone(pid) || undefined,
    {
      timeoutMs,
      intervalMs: 5,
    },
  );
}

/** Sends `signal` to `pid`; false when there is no such process (any more). */
export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops a throwaway server at once: SIGCONT (a SIGSTOPped server ignores everything else until
 * continued), then SIGKILL. Nothing is saved (the servers run with `--save ''`), so a graceful
 * SIGTERM would only cost time.
 */
export async function killProcess(pid: number, timeoutMs = 5_000): Promise<void> {
  if (!signalProcess(pid, 'SIGCONT') || !signalProcess(pid, 'SIGKILL')) return;
  await waitForProcessGone(pid, timeoutMs);
}
