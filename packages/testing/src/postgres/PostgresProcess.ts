import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { trackCleanup, untrackCleanup } from '../exitCleanup.js';
import { HarnessError, HarnessErrorCode } from '../HarnessError.js';
import { SpawnedProcess } from '../SpawnedProcess.js';
import { waitFor } from '../waitFor.js';
import { serverEnv } from './clusterTemplate.js';
import { findPostgresBinaries } from './findPostgresBinaries.js';
import { type PostgresTarget, runPostgresQuery } from './postgresClient.js';
import { killTreeNow, signalTree, waitForGone } from './processTree.js';
import type { ServerAccount } from './serverAccount.js';

/** Everything needed to (re)start one postmaster. */
export interface PostgresProcessSpec {
  /** For messages, e.g. "postgres 127.0.0.1:17003". */
  readonly name: string;
  readonly dir: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly account: ServerAccount | undefined;
  /** How the readiness check connects. */
  readonly target: PostgresTarget;
  readonly startTimeoutMs: number;
}

/** How long a fast shutdown may take before the server is killed instead. */
const shutdownTimeoutMs = 10_000;

/**
 * One postmaster, started in the foreground as a child of the test process (not through pg_ctl), so
 * that its pid is known at once and a server that dies on start-up fails the start at once with its
 * log. As root it is spawned with the server account's uid and gid: the pid is the postmaster's own,
 * where a `runuser` in between would receive (and not pass on) the signals.
 */
export class PostgresProcess {
  readonly spec: PostgresProcessSpec;
  #process: SpawnedProcess | undefined;
  #pid = 0;
  #cleanup: (() => void) | undefined;

  constructor(spec: PostgresProcessSpec) {
    this.spec = spec;
  }

  /** Pid of the current (or last) postmaster; 0 before the first start. */
  get pid(): number {
    return this.#pid;
  }

  /** True while the postmaster runs (a paused one counts as running). */
  get running(): boolean {
    return this.#process !== undefined && this.#process.exit === undefined;
  }

  /** Spawns the postmaster and waits until it answers a query about its own data directory. */
  async start(): Promise<void> {
    const { spec } = this;
    // As root, with the server account's uid and gid (the pid is the postmaster's own).
    const spawned = new SpawnedProcess({
      command: findPostgresBinaries().postgres,
      args: ['-D', spec.dataDir],
      cwd: spec.dir,
      env: serverEnv(),
      output: spec.logFile,
      account: spec.account,
    });
    this.#process = spawned;
    const pid = await spawned.spawned();
    if (typeof pid === 'string') throw this.#startFailed(pid);
    this.#pid = pid;
    const cleanup = () => {
      killTreeNow(pid);
    };
    this.#cleanup = cleanup;
    trackCleanup(cleanup);
    try {
      await waitFor(`${spec.name} to accept connections`, () => this.#probeReady(), {
        timeoutMs: spec.startTimeoutMs,
        intervalMs: 25,
        abortIf: () => (spawned.exit === undefined ? undefined : this.#startFailed(spawned.exit)),
      });
    } catch (error) {
      await this.kill();
      if (HarnessError.is(error) && error.code === HarnessErrorCode.StartFailed) throw error;
      throw this.#startFailed(error instanceof Error ? error.message : String(error), error);
    }
  }

  /** Ready when the server on the port reports this data directory: not someone else's server. */
  async #probeReady(): Promise<true | undefined> {
    const { rows } = await runPostgresQuery<{ data_directory: string }>(
      this.spec.target,
      'postgres',
      'SHOW data_directory',
      undefined,
      1_000,
    );
    const reported = rows[0]?.data_directory;
    if (reported !== this.spec.dataDir) {
      throw new Error(`port ${this.spec.target.port} is answered by the server of ${reported}`);
    }
    return true;
  }

  /** Fast shutdown (SIGINT: open transactions roll back, WAL is flushed); kills after 10 s. */
  async stop(): Promise<void> {
    if (!this.running) return this.kill();
    signalTree(this.#pid, 'SIGCONT');
    process.kill(this.#pid, 'SIGINT');
    try {
      await this.#process?.waitForExit(this.spec.name, shutdownTimeoutMs);
    } catch {
      // Stuck (a child that ignores the shutdown): fall through to the kill.
    }
    await this.kill();
  }

  /** SIGCONT + SIGKILL to the postmaster and its children, until all are gone. Idempotent. */
  async kill(): Promise<void> {
    const spawned = this.#process;
    if (spawned === undefined || this.#pid === 0) return;
    const tree = killTreeNow(this.#pid);
    await Promise.all([waitForGone(tree, 5_000), spawned.waitForExit(this.spec.name, 5_000)]);
    spawned.exit ??= 'killed';
    if (this.#cleanup !== undefined) untrackCleanup(this.#cleanup);
    this.#cleanup = undefined;
  }

  /** SIGSTOP of the postmaster and its children: connections stay open, nothing answers. */
  pause(): void {
    this.#assertRunning();
    signalTree(this.#pid, 'SIGSTOP');
  }

  /** SIGCONT after {@link PostgresProcess.pause}. */
  resume(): void {
    this.#assertRunning();
    signalTree(this.#pid, 'SIGCONT');
  }

  /** The last lines of the server log, for error messages. */
  logTail(lines = 25): string {
    let text = '';
    try {
      text = readFileSync(this.spec.logFile, 'utf8').trimEnd();
    } catch {
      // No log yet.
    }
    return text === ''
      ? `(no log output in ${this.spec.dir})`
      : `--- ${this.spec.logFile} (last lines) ---\n${text.split('\n').slice(-lines).join('\n')}`;
  }

  #assertRunning(): void {
    if (!this.running) {
      throw new HarnessError(HarnessErrorCode.InvalidOptions, `${this.spec.name} is not running`);
    }
  }

  #startFailed(reason: string, cause?: unknown): HarnessError {
    return new HarnessError(
      HarnessErrorCode.StartFailed,
      `${this.spec.name} did not start: ${reason}\n${this.logTail()}`,
      { cause },
    );
  }
}

/** Where the server's log goes inside its folder. */
export function postgresLogFile(dir: string): string {
  return join(dir, 'postgres.log');
}
