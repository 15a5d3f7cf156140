import { readdirSync, readFileSync } from 'node:fs';

// Pinning a PostgreSQL server: the postmaster forks a process per connection, so pinning the
// postmaster alone would leave its running helpers (checkpointer, WAL writer) free. Connections
// opened after the pin inherit it.

/** The pids of the processes whose parent is `pid`, and theirs, from /proc. */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name is in parentheses and may hold spaces: the fields after it are fixed.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while the list was read.
    }
  }
  const found: number[] = [];
  const queue = [pid];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    for (const child of parents.get(next) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/**
 * Pins this process to CPU 0 and the server (`postmaster` and every process under it) to CPU 1;
 * false if any could not be pinned.
 */
export function pinnedServer(postmaster: number, pin: (pid: number, cpu: number) => boolean) {
  return [postmaster, ...descendants(postmaster)].reduce(
    (ok, pid) => pin(pid, 1) && ok,
    pin(process.pid, 0),
  );
}
