import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';

/** How to spawn one server process. */
export interface SpawnOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** The program name the process sees (Redis picks its role from it). */
  readonly argv0?: string;
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** The file its stdout and stderr are appended to. */
  readonly output: string;
  /** The account it runs as (a server that refuses root). */
  readonly account?: { readonly uid: number; readonly gid: number } | undefined;
}

/**
 * One server process the harness spawned, in the foreground as a child of the test process (not
 * daemonized: its pid is known at once and its exit is reported at once, so a server that dies on
 * start-up fails the start immediately with its log), and why it ended once it has.
 */
export class SpawnedProcess {
  /** Why it ended (`exited with SIGKILL`, `could not be spawned: ...`); undefined while it runs. */
  exit: string | undefined = undefined;
  /** Resolves once the process has exited. */
  readonly exited: Promise<void>;
  readonly #child: ChildProcess;

  constructor(options: SpawnOptions) {
    const output = openSync(options.output, 'a');
    try {
      // detached: its own process group, so a Ctrl-C reaches only the test process, whose exit
      // hook then kills the servers in order instead of racing their shutdown.
      this.#child = spawn(options.command, options.args, {
        ...(options.argv0 === undefined ? {} : { argv0: options.argv0 }),
        cwd: options.cwd,
        ...(options.env === undefined ? {} : { env: options.env }),
        detached: true,
        stdio: ['ignore', output, output],
        ...(options.account === undefined
          ? {}
          : { uid: options.account.uid, gid: options.account.gid }),
      });
    } finally {
      closeSync(output);
    }
    const child = this.#child;
    child.unref();
    child.once('error', (error) => {
      this.exit ??= `could not be spawned: ${error.message}`;
    });
    // 'exit' comes from waitpid, i.e. after every thread has ended and the sockets are closed: a
    // zombie main thread is not enough (Redis's background threads can keep the port open a bit
    // longer, and a "port is free" check right after a kill would then fail).
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit ??= `exited with ${signal ?? `code ${code}`}`;
        resolve();
      });
    });
  }

  /** The pid, or why there is none (a spawn that failed: the reason, after the error event). */
  async spawned(): Promise<number | string> {
    const pid = this.#child.pid;
    if (pid !== undefined) return pid;
    await new Promise((resolve) => setImmediate(resolve));
    return this.exit ?? 'could not be spawned';
  }

  /** True until the process has exited or been killed. */
  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Waits for the exit, failing with a `timeout` HarnessError naming `name` after `timeoutMs`. */
  async waitForExit(name: string, timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new HarnessError(
              HarnessErrorCode.Timeout,
              `${name} (pid ${this.#child.pid}) did not exit`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
