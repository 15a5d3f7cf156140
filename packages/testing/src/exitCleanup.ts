import { rmSync } from 'node:fs';

interface CleanupState {
  readonly pids: Set<number>;
  readonly paths: Set<string>;
  installed: boolean;
}

// Kept on globalThis so that every copy of this module in one process (vitest evaluates modules
// once per test file) shares one list and installs the exit hooks once.
const stateKey = Symbol.for('@stowage/testing/exitCleanup');

function state(): CleanupState {
  const holder = globalThis as { [stateKey]?: CleanupState };
  holder[stateKey] ??= { pids: new Set(), paths: new Set(), installed: false };
  return holder[stateKey];
}

/**
 * Kills every tracked process and removes every tracked path, synchronously: it runs from the
 * `exit` event, where nothing asynchronous happens any more.
 */
function cleanupNow(): void {
  const { pids, paths } = state();
  for (const pid of pids) {
    // SIGCONT first: a server paused with SIGSTOP would otherwise sit stopped until SIGKILL lands.
    for (const signal of ['SIGCONT', 'SIGKILL'] as const) {
      try {
        process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    }
  }
  pids.clear();
  for (const path of paths) rmSync(path, { recursive: true, force: true });
  paths.clear();
}

function install(): void {
  const current = state();
  if (current.installed) return;
  current.installed = true;
  process.on('exit', cleanupNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanupNow();
      // Listening for a signal cancels Node's default "terminate"; restore it unless someone else
      // (a test runner) handles the signal and decides when to exit.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/** Registers a child process to be killed if the test process exits before stopping it. */
export function trackProcess(pid: number): void {
  install();
  state().pids.add(pid);
}

/** Removes a process from the exit list once it has been stopped normally. */
export function untrackProcess(pid: number): void {
  state().pids.delete(pid);
}

/** Registers a temp dir or lock dir to be removed if the test process exits without cleaning up. */
export function trackPath(path: string): void {
  install();
  state().paths.add(path);
}

/** Removes a path from the exit list once it has been removed normally. */
export function untrackPath(path: string): void {
  state().paths.delete(path);
}
