import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { isProcessGone, signalProcess } from '../processState.js';
import { waitFor } from '../waitFor.js';

/**
 * The direct children of `pid`. PostgreSQL's backends and auxiliary processes each call setsid(),
 * so a process group does not cover them: they are found by parent pid instead.
 */
export function childPids(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    // No procfs (macOS): ask pgrep.
    try {
      return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map(Number);
    } catch {
      return [];
    }
  }
  const children: number[] = [];
  for (const entry of entries) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) S ppid ...": comm may hold spaces, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // Exited meanwhile.
    }
  }
  return children;
}

/**
 * Sends `signal` to the postmaster and its children. Children are listed first: once the
 * postmaster is stopped it forks no new ones, and once it is killed they are re-parented.
 */
export function signalTree(pid: number, signal: NodeJS.Signals): number[] {
  const tree = [...childPids(pid), pid];
  for (const member of tree) signalProcess(member, signal);
  return tree;
}

/**
 * SIGCONT then SIGKILL to the whole server, synchronously (it also runs from the exit hook). The
 * children must die too: a surviving backend keeps the shared memory attached, and a new
 * postmaster on the same data then refuses to start.
 */
export function killTreeNow(pid: number): number[] {
  const tree = [...childPids(pid), pid];
  for (const member of tree) signalProcess(member, 'SIGCONT');
  for (const member of tree) signalProcess(member, 'SIGKILL');
  return tree;
}

/** Waits, bounded, until every process of `pids` is gone (zombies included). */
export async function waitForGone(pids: readonly number[], timeoutMs: number): Promise<void> {
  await waitFor(
    `PostgreSQL processes ${pids.join(', ')} to end`,
    async () => pids.every(isProcessGone) || undefined,
    { timeoutMs, intervalMs: 10 },
  );
}
