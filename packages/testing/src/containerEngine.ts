import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pingEngine, runDockerSync } from './docker.js';
import { trackCleanup, trackPath, untrackCleanup, untrackPath } from './exitCleanup.js';
import { findExecutable } from './findRedisBinaries.js';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';
import { isProcessAlive, isProcessGone } from './processState.js';

/** A container engine the container provider talks to. */
export interface ContainerEngine {
  /** The `DOCKER_HOST` value that reaches it, e.g. `unix:///tmp/stowage-testing-engine/docker.sock`. */
  readonly dockerHost: string;
  /**
   * True when this process started the engine: {@link ContainerEngine.stop} (or the exit of the
   * process) then removes its containers, images, networks and bridge, and stops it. An engine
   * that was already answering is never stopped.
   */
  readonly owned: boolean;
  /** Stops an owned engine and removes all it made; does nothing for an engine found running. */
  stop(): Promise<void>;
}

/** Options of {@link startContainerEngine}. */
export interface StartContainerEngineOptions {
  /** Bound for a daemon started here to answer. Default 30 s. */
  readonly startTimeoutMs?: number;
}

/**
 * The private daemon's folder. One per machine: two daemons would fight over the `docker0`
 * bridge and its addresses, so a second test run uses the first run's daemon.
 */
export function privateEngineDir(): string {
  return join(tmpdir(), 'stowage-testing-engine');
}

const stateKey = Symbol.for('@stowage/testing/containerEngine');
function state(): { engine?: Promise<ContainerEngine> | undefined } {
  const holder = globalThis as { [stateKey]?: { engine?: Promise<ContainerEngine> | undefined } };
  holder[stateKey] ??= {};
  return holder[stateKey];
}

/**
 * Finds a container engine, or starts one, and points this process at it (`DOCKER_HOST`, and the
 * testcontainers settings this machine needs). In order:
 *
 * 1. `DOCKER_HOST`, when it answers;
 * 2. the private daemon of another live test run on this machine (see {@link privateEngineDir});
 * 3. the default sockets (`/var/run/docker.sock`, Docker Desktop's `~/.docker/run/docker.sock`);
 * 4. a private `dockerd` of its own (Linux, root, `dockerd` on PATH: Debian's `docker.io`), with
 *    its own socket, data root, exec root and pidfile, loopback-only published ports and the
 *    host's firewall left alone (`--ip=127.0.0.1 --iptables=false --ip6tables=false`).
 *
 * Otherwise it throws `ENGINE_MISSING` naming what is missing. Memoised per process: call it in a
 * test runner's global set-up to own the engine for the whole run (its workers then find it).
 */
export function startContainerEngine(
  options: StartContainerEngineOptions = {},
): Promise<ContainerEngine> {
  const current = state();
  current.engine ??= resolveEngine(options).catch((error: unknown) => {
    current.engine = undefined;
    throw error;
  });
  return current.engine;
}

async function resolveEngine(options: StartContainerEngineOptions): Promise<ContainerEngine> {
  const tried: string[] = [];
  const found = async (dockerHost: string | undefined): Promise<boolean> => {
    if (dockerHost === undefined) return false;
    if (await pingEngine(dockerHost)) return true;
    tried.push(dockerHost);
    return false;
  };
  const configured = process.env.DOCKER_HOST;
  if (configured !== undefined && (await found(configured))) return useEngine(configured);
  const dir = privateEngineDir();
  const shared = livePrivateEngine(dir);
  if (shared !== undefined && (await waitForEngine(shared, 10_000))) return joinPrivateEngine(dir);
  for (const socket of ['/var/run/docker.sock', join(homedir(), '.docker/run/docker.sock')]) {
    if (existsSync(socket) && (await found(`unix://${socket}`)))
      return useEngine(`unix://${socket}`);
  }
  const missing = privateEngineBlocker();
  if (missing !== undefined) {
    throw new HarnessError(
      HarnessErrorCode.EngineMissing,
      `No container engine answers (tried ${tried.join(', ') || 'the default sockets'}) and none ` +
        `can be started here: ${missing}. Start Docker (Docker Desktop, or dockerd as root) or set ` +
        'DOCKER_HOST, or use the process provider (REDIS_TEST_PROVIDER=process).',
    );
  }
  // Processes starting at once (test workers without a global set-up) take turns: the first
  // starts the engine, the others find it running when their turn comes.
  const release = await lockEngineDir(dir);
  try {
    const started = livePrivateEngine(dir);
    if (started !== undefined && (await waitForEngine(started, 10_000))) {
      return joinPrivateEngine(dir);
    }
    return await startPrivateEngine(dir, options.startTimeoutMs ?? 30_000);
  } finally {
    release();
  }
}

/**
 * Takes `<dir>.lock` (an atomic mkdir holding the owner's pid), waiting while a live process holds
 * it and taking over from a dead one; resolves with the release function.
 */
async function lockEngineDir(dir: string, timeoutMs = 60_000): Promise<() => void> {
  const lock = `${dir}.lock`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const staging = mkdtempSync(`${lock}.claim-`);
    writeFileSync(join(staging, 'owner'), `${process.pid}\n`);
    try {
      renameSync(staging, lock);
      trackPath(lock);
      return () => {
        if (readPid(join(lock, 'owner')) === process.pid)
          rmSync(lock, { recursive: true, force: true });
        untrackPath(lock);
      };
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
    }
    const holder = readPid(join(lock, 'owner'));
    if (holder === undefined || !isProcessAlive(holder)) {
      // Renamed aside first, so that of two processes taking over only one removes it.
      const trash = `${lock}.stale-${process.pid}`;
      try {
        renameSync(lock, trash);
        rmSync(trash, { recursive: true, force: true });
      } catch {
        // Someone else took it over first.
      }
      continue;
    }
    if (Date.now() > deadline) {
      throw new HarnessError(
        HarnessErrorCode.Timeout,
        `Process ${holder} has been starting the private container engine for ${timeoutMs} ms`,
      );
    }
    await sleep(100);
  }
}

/** Why this machine cannot run a private dockerd, or undefined when it can. */
function privateEngineBlocker(): string | undefined {
  if (process.platform !== 'linux')
    return `a private dockerd needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'a private dockerd needs root';
  if (findExecutable('dockerd') === undefined) {
    return 'dockerd is not installed (Debian/Ubuntu: apt-get install docker.io)';
  }
  if (findExecutable('docker') === undefined) {
    return 'the docker CLI is not installed (Debian/Ubuntu: apt-get install docker.io)';
  }
  return undefined;
}

function useEngine(dockerHost: string, stop?: () => Promise<void>): ContainerEngine {
  process.env.DOCKER_HOST = dockerHost;
  // Ryuk, the reaper container, cannot be pulled here; clean-up is this package's job (stop(),
  // exit hooks, the sweep of dead owners' containers).
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  // Inside a container testcontainers would pull an image to find the host's address;
  // published ports are on this machine's loopback.
  if (existsSync('/.dockerenv')) process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  return { dockerHost, owned: stop !== undefined, stop: stop ?? (async () => {}) };
}

/** The socket of a private engine whose owner still runs, if any. */
function livePrivateEngine(dir: string): string | undefined {
  const owner = readPid(join(dir, 'owner'));
  if (owner === undefined || !isProcessAlive(owner)) return undefined;
  return `unix://${join(dir, 'docker.sock')}`;
}

async function waitForEngine(dockerHost: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pingEngine(dockerHost)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
}

async function startPrivateEngine(dir: string, startTimeoutMs: number): Promise<ContainerEngine> {
  claimEngineDir(dir);
  const socket = join(dir, 'docker.sock');
  const dockerHost = `unix://${socket}`;
  const bridgeExisted = existsSync('/sys/class/net/docker0');
  writeFileSync(join(dir, 'bridge'), bridgeExisted ? 'existed\n' : 'created\n');
  const log = openSync(join(dir, 'dockerd.log'), 'a');
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(
      findExecutable('dockerd')!,
      [
        '-H',
        dockerHost,
        '--data-root',
        join(dir, 'data'),
        '--exec-root',
        join(dir, 'exec'),
        '--pidfile',
        join(dir, 'dockerd.pid'),
        // Published ports bind loopback only; the host's firewall and forwarding stay as they are
        // (docker-proxy carries published ports without any rule).
        '--ip=127.0.0.1',
        '--iptables=false',
        '--ip6tables=false',
        '--ip-forward=false',
        '--ip-masq=false',
        '--log-level=warn',
      ],
      { detached: true, stdio: ['ignore', log, log] },
    );
  } finally {
    closeSync(log);
  }
  child.unref();
  let exited: string | undefined;
  child.once('error', (error) => {
    exited ??= error.message;
  });
  child.once('exit', (code, signal) => {
    exited ??= `exited with ${signal ?? `code ${code}`}`;
  });
  const stopSync = () => stopPrivateEngineSync(dir);
  // At exit the engine goes with its owner, unless other live processes use it (see leave).
  const atExit = () => leavePrivateEngine(dir);
  trackCleanup(atExit);
  const deadline = Date.now() + startTimeoutMs;
  while (!(await pingEngine(dockerHost, 500))) {
    if (exited !== undefined || Date.now() > deadline) {
      const reason = exited ?? `not answering after ${startTimeoutMs} ms`;
      const tail = logTail(join(dir, 'dockerd.log'));
      untrackCleanup(atExit);
      stopSync();
      throw new HarnessError(
        HarnessErrorCode.EngineMissing,
        `dockerd could not be started here (${reason}):\n${tail}`,
      );
    }
    await sleep(50);
  }
  registerUser(dir);
  // An explicit stop() stops it: the owner says when its run is over.
  return useEngine(dockerHost, async () => {
    untrackCleanup(atExit);
    stopSync();
    state().engine = undefined;
  });
}

/** Uses the private engine another live process started, as one of its users. */
function joinPrivateEngine(dir: string): ContainerEngine {
  registerUser(dir);
  trackCleanup(() => leavePrivateEngine(dir));
  return useEngine(`unix://${join(dir, 'docker.sock')}`);
}

function registerUser(dir: string): void {
  mkdirSync(join(dir, 'users'), { recursive: true });
  writeFileSync(join(dir, 'users', String(process.pid)), '');
}

/**
 * At the exit of a process that uses a private engine: it stops being a user; if it owned the
 * engine (or the owner is gone), the engine passes to a live user, or, with none left, is stopped
 * and removed. So test workers that share an engine one of them started keep it until the last
 * one ends.
 */
function leavePrivateEngine(dir: string): void {
  rmSync(join(dir, 'users', String(process.pid)), { force: true });
  const owner = readPid(join(dir, 'owner'));
  if (owner !== undefined && owner !== process.pid && isProcessAlive(owner)) return;
  let users: number[] = [];
  try {
    users = readdirSync(join(dir, 'users')).map(Number);
  } catch {
    // No users folder: nobody else.
  }
  const heir = users.find((pid) => pid !== process.pid && isProcessAlive(pid));
  if (heir === undefined) {
    stopPrivateEngineSync(dir);
    return;
  }
  const next = join(dir, `owner.${process.pid}`);
  writeFileSync(next, `${heir}\n`);
  renameSync(next, join(dir, 'owner'));
}

/** Takes the machine's private engine folder, clearing what a dead owner left behind. */
function claimEngineDir(dir: string): void {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    // Written aside, then renamed into place: the folder never exists without its owner file, and
    // of two processes claiming it at once only one rename succeeds.
    const staging = mkdtempSync(`${dir}.claim-`);
    writeFileSync(join(staging, 'owner'), `${process.pid}\n`);
    try {
      renameSync(staging, dir);
      return;
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
      const owner = readPid(join(dir, 'owner'));
      if (owner !== undefined && isProcessAlive(owner)) {
        throw new HarnessError(
          HarnessErrorCode.EngineMissing,
          `The private container engine of process ${owner} (${dir}) does not answer`,
        );
      }
      stopPrivateEngineSync(dir);
    }
  }
  throw new HarnessError(HarnessErrorCode.EngineMissing, `Could not claim ${dir}`);
}

/**
 * Stops a private engine and removes all it made, synchronously (it also runs from the exit hook
 * and from the start-up sweep of a dead owner's engine): containers, the daemon and its containerd,
 * every mount under the folder, the bridge if the engine created it, then the folder (its data
 * root held the images and networks).
 */
export function stopPrivateEngineSync(dir: string): void {
  const dockerHost = `unix://${join(dir, 'docker.sock')}`;
  const ids = runDockerSync(dockerHost, ['ps', '-aq']).split('\n').filter(Boolean);
  if (ids.length > 0) runDockerSync(dockerHost, ['rm', '-f', '-v', ...ids]);
  const daemon = readPid(join(dir, 'dockerd.pid'));
  if (daemon !== undefined && commandLineMentions(daemon, dir)) {
    signal(daemon, 'SIGTERM');
    if (!waitGoneSync(daemon, 15_000)) signal(daemon, 'SIGKILL');
  }
  // containerd, its shims and anything left in the containers' cgroups.
  for (const pid of processesMentioning(dir)) signal(pid, 'SIGKILL');
  for (const pid of containerProcesses(join(dir, 'data', 'containers'))) signal(pid, 'SIGKILL');
  for (const mount of mountsUnder(dir)) {
    try {
      execFileSync('umount', ['-l', mount], { stdio: 'ignore' });
    } catch {
      // Already gone.
    }
  }
  if (readText(join(dir, 'bridge')) === 'created' && existsSync('/sys/class/net/docker0')) {
    try {
      execFileSync('ip', ['link', 'delete', 'docker0'], { stdio: 'ignore' });
    } catch {
      // No iproute2, or already removed.
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function waitGoneSync(pid: number, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (!isProcessGone(pid)) {
    if (Date.now() > deadline) return false;
    Atomics.wait(pause, 0, 0, 50);
  }
  return true;
}

function commandLineMentions(pid: number, text: string): boolean {
  return readText(`/proc/${pid}/cmdline`)?.replaceAll('\0', ' ').includes(text) ?? false;
}

function processesMentioning(text: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== process.pid && commandLineMentions(pid, text));
}

/** Pids in the cgroups of the containers whose folders are under `containersDir`. */
function containerProcesses(containersDir: string): number[] {
  let ids: string[];
  try {
    ids = readdirSync(containersDir);
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const id of ids) {
    for (const procs of [
      `/sys/fs/cgroup/pids/docker/${id}/cgroup.procs`,
      `/sys/fs/cgroup/memory/docker/${id}/cgroup.procs`,
      `/sys/fs/cgroup/docker/${id}/cgroup.procs`,
      `/sys/fs/cgroup/system.slice/docker-${id}.scope/cgroup.procs`,
    ]) {
      for (const line of (readText(procs) ?? '').split('\n')) {
        if (/^\d+$/.test(line)) pids.push(Number(line));
      }
    }
  }
  return pids;
}

/** Mount points under `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  const lines = (readText('/proc/self/mountinfo') ?? '').split('\n');
  return lines
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mount) => mount === dir || mount.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function readPid(path: string): number | undefined {
  const pid = Number.parseInt(readText(path) ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function logTail(path: string, lines = 15): string {
  return (readText(path) ?? '(no dockerd log)').split('\n').slice(-lines).join('\n');
}

/** Set by a global set-up that found no engine, so that every test file skips without retrying. */
export const ENGINE_MISSING_VARIABLE = 'REDIS_TEST_ENGINE_MISSING';

/**
 * Why container tests cannot run here, or undefined when an engine answers (found or started by
 * {@link startContainerEngine}). For `describe.skipIf`: a skipped file can say why in the output.
 */
export async function whyNoContainerEngine(): Promise<string | undefined> {
  const known = process.env[ENGINE_MISSING_VARIABLE];
  if (known) return known;
  try {
    await startContainerEngine();
    return undefined;
  } catch (error) {
    if (HarnessError.is(error) && error.code === HarnessErrorCode.EngineMissing) {
      return error.message;
    }
    throw error;
  }
}
