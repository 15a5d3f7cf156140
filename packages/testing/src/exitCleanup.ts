import { rmSync } from 'node:fs';
import { signalProcess } from './processState.js';
import { processWide } from './processWide.js';

interface CleanupState {
  /** Synchronous clean-up steps (containers, a private container engine), run last-in first-out. */
  readonly steps: Set<() => void>;
  readonly pids: Set<number>;
  readonly paths: Set<string>;
  installed: boolean;
}

/** One list for the process, so that the exit hooks are installed once. */
function state(): CleanupState {
  return processWide<CleanupState>('@stowage/testing/exitCleanup', () => ({
    steps: new Set(),
    pids: new Set(),
    paths: new Set(),
    installed: false,
  }));
}

/**
 * Kills every tracked process and removes every tracked path, synchronously: it runs from the
 * `exit` event, where nothing asynchronous happens any more.
 */
function cleanupNow(): void {
  const { steps, pids, paths } = state();
  // Newest first: containers go before the engine that runs them.
  for (const step of [...steps].reverse()) {
    steps.delete(step);
    try {
      step();
    } catch {
      // Best effort: the next run's sweep removes what is left.
    }
  }
  for (const pid of pids) {
    // SIGCONT first: a server paused with SIGSTOP would otherwise sit stopped until SIGKILL lands.
    signalProcess(pid, 'SIGCONT');
    signalProcess(pid, 'SIGKILL');
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

/**
 * Registers a synchronous step to run if the test process exits before it is untracked (for
 * example `docker rm -f` of a container). Steps run newest first, before processes are killed.
 */
export function trackCleanup(step: () => void): void {
  install();
  state().steps.add(step);
}

/** Removes a step registered with {@link trackCleanup} once its work has been done normally. */
export function untrackCleanup(step: () => void): void {
  state().steps.delete(step);
}
