import { readFileSync, rmSync } from 'node:fs';
import { trackProcess, untrackProcess } from './exitCleanup.js';
import { type ConnectionTarget, sendForText } from './HarnessConnection.js';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';
import { killProcess } from './processState.js';
import { SpawnedProcess } from './SpawnedProcess.js';
import { waitFor } from './waitFor.js';

/** Everything needed to (re)start one redis-server or sentinel process. */
export interface RedisProcessSpec {
  /** For messages, e.g. "redis-server 127.0.0.1:17003". */
  readonly name: string;
  readonly command: string;
  /** The program name the process sees (Redis picks its role from it). */
  readonly argv0: string;
  readonly args: readonly string[];
  readonly dir: string;
  readonly logFile: string;
  readonly pidFile: string;
  /** How the readiness check connects (auth and TLS included). */
  readonly target: ConnectionTarget;
  /** Runs before every start, e.g. to write a fresh sentinel config (sentinels rewrite theirs). */
  readonly prepare?: () => Promise<void>;
  readonly startTimeoutMs: number;
}

/**
 * One server process, started in the foreground as a child of the test process. Not daemonized: the
 * child's pid is known at once and its exit is reported at once, so a server that dies on start-up
 * (port taken, bad ACL rule, bad config) fails the start immediately with its log, instead of a
 * daemonized start that "succeeds" and then times out.
 */
export class RedisProcess {
  readonly spec: RedisProcessSpec;
  #process: SpawnedProcess | undefined;
  #pid = 0;

  constructor(spec: RedisProcessSpec) {
    this.spec = spec;
  }

  /** Pid of the current (or last) process; 0 before the first start. */
  get pid(): number {
    return this.#pid;
  }

  /** True while the process runs (a paused process counts as running). */
  get running(): boolean {
    return this.#process !== undefined && this.#process.exit === undefined;
  }

  /**
   * Spawns the process and waits until it is ready: the pidfile (written only after the listening
   * socket is bound) holds the child's pid, and `INFO server` on the port reports that same
   * `process_id`, so the answer cannot come from somebody else's server on the same port.
   */
  async start(): Promise<void> {
    const { spec } = this;
    await spec.prepare?.();
    rmSync(spec.pidFile, { force: true });
    const spawned = new SpawnedProcess({
      command: spec.command,
      args: spec.args,
      argv0: spec.argv0,
      cwd: spec.dir,
      output: `${spec.logFile}.stdio`,
    });
    this.#process = spawned;
    const pid = await spawned.spawned();
    if (typeof pid === 'string') throw this.#startFailed(pid);
    this.#pid = pid;
    trackProcess(pid);
    try {
      await waitFor(`${spec.name} to become ready`, () => this.#probeReady(pid), {
        timeoutMs: spec.startTimeoutMs,
        abortIf: () => (spawned.exit === undefined ? undefined : this.#startFailed(spawned.exit)),
      });
    } catch (error) {
      await this.kill();
      if (HarnessError.is(error) && error.code === HarnessErrorCode.StartFailed) throw error;
      throw this.#startFailed(error instanceof Error ? error.message : String(error), error);
    }
  }

  async #probeReady(pid: number): Promise<true | undefined> {
    let written: string;
    try {
      written = readFileSync(this.spec.pidFile, 'utf8').trim();
    } catch {
      return undefined;
    }
    if (written !== String(pid)) return undefined;
    try {
      const info = await sendForText(this.spec.target, ['INFO', 'server'], 1_000);
      const reported = /^process_id:(\d+)/m.exec(info)?.[1];
      if (reported !== String(pid)) {
        throw new Error(`port ${this.spec.target.port} is answered by process ${reported}`);
      }
      return true;
    } catch (error) {
      // INFO renamed away through `args`: the pidfile alone still proves this process bound the port.
      if (HarnessError.is(error) && /unknown command/i.test(error.message)) return true;
      throw error;
    }
  }

  /** SIGCONT + SIGKILL and wait until the process has been reaped. Idempotent. */
  async kill(): Promise<void> {
    const spawned = this.#process;
    if (spawned === undefined || this.#pid === 0) return;
    const pid = this.#pid;
    if (spawned.alive) {
      await Promise.all([killProcess(pid), spawned.waitForExit(this.spec.name, 5_000)]);
    }
    spawned.exit ??= 'killed';
    untrackProcess(pid);
  }

  /** SIGSTOP: the process keeps its sockets but answers nothing, like a network partition. */
  pause(): void {
    this.#signal('SIGSTOP');
  }

  /** SIGCONT after {@link RedisProcess.pause}. */
  resume(): void {
    this.#signal('SIGCONT');
  }

  /** The last lines of the server's log files, for error messages. */
  logTail(lines = 25): string {
    const parts: string[] = [];
    for (const file of [this.spec.logFile, `${this.spec.logFile}.stdio`]) {
      let text = '';
      try {
        text = readFileSync(file, 'utf8').trimEnd();
      } catch {
        continue;
      }
      if (text !== '')
        parts.push(`--- ${file} (last lines) ---\n${text.split('\n').slice(-lines).join('\n')}`);
    }
    return parts.length > 0 ? parts.join('\n') : `(no log output in ${this.spec.dir})`;
  }

  #signal(signal: NodeJS.Signals): void {
    if (!this.running) {
      throw new HarnessError(HarnessErrorCode.InvalidOptions, `${this.spec.name} is not running`);
    }
    process.kill(this.#pid, signal);
  }

  #startFailed(reason: string, cause?: unknown): HarnessError {
    return new HarnessError(
      HarnessErrorCode.StartFailed,
      `${this.spec.name} did not start: ${reason}\n${this.logTail()}`,
      { cause },
    );
  }
}
