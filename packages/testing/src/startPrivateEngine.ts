import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { claimOwnedDir, ownerOf, removeAside } from './claimOwnedDir.js';
import { pingEngine } from './docker.js';
import { trackCleanup, trackPath, untrackCleanup, untrackPath } from './exitCleanup.js';
import { findExecutable } from './findRedisBinaries.js';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';
import {
  joinLivePrivateEngine,
  leavePrivateEngine,
  registerPrivateEngineUser,
} from './joinPrivateEngine.js';
import { privateEngineHost } from './privateEngineDir.js';
import { isProcessAlive } from './processState.js';
import { readTrimmedText } from './readPid.js';
import { stopPrivateEngineSync } from './stopPrivateEngineSync.js';
import { waitFor } from './waitFor.js';

/** A private engine this process uses: where it answers, and `stop` when this process owns it. */
export interface PrivateEngine {
  readonly dockerHost: string;
  /** Stops the engine and removes all it made (see {@link stopPrivateEngineSync}). */
  readonly stop?: () => void;
}

/** Why this machine cannot run a private dockerd, or undefined when it can. */
export function whyNoPrivateEngine(): string | undefined {
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

/**
 * Starts a private `dockerd` in `dir` with its own socket, data root, exec root and pidfile,
 * loopback-only published ports and the host's firewall left alone. Processes starting at once
 * (test workers without a global set-up) take turns: the first starts the engine, the others find
 * it running when their turn comes and join it.
 */
export async function startPrivateEngine(
  dir: string,
  startTimeoutMs: number,
): Promise<PrivateEngine> {
  const release = await lockEngineDir(dir);
  try {
    const joined = await joinLivePrivateEngine(dir);
    if (joined !== undefined) return { dockerHost: joined };
    return await spawnPrivateEngine(dir, startTimeoutMs);
  } finally {
    release();
  }
}

/**
 * Takes `<dir>.lock` (a folder holding the owner's pid), waiting while a live process holds it and
 * taking over from a dead one; resolves with the release function.
 */
async function lockEngineDir(dir: string, timeoutMs = 60_000): Promise<() => void> {
  const lock = `${dir}.lock`;
  let holder: number | undefined;
  await waitFor(
    `the lock ${lock}`,
    async () => {
      if (claimOwnedDir(lock)) return true;
      holder = ownerOf(lock);
      if (holder !== undefined && isProcessAlive(holder)) return undefined;
      removeAside(lock);
      return claimOwnedDir(lock) || undefined;
    },
    {
      timeoutMs,
      intervalMs: 100,
      retryIf: () => false,
      details: () => `process ${holder} has been starting the private container engine meanwhile`,
    },
  );
  trackPath(lock);
  return () => {
    if (ownerOf(lock) === process.pid) rmSync(lock, { recursive: true, force: true });
    untrackPath(lock);
  };
}

/** Starts the daemon in the folder this process has just claimed, and waits until it answers. */
async function spawnPrivateEngine(dir: string, startTimeoutMs: number): Promise<PrivateEngine> {
  claimEngineDir(dir);
  const dockerHost = privateEngineHost(dir);
  const bridgeExisted = existsSync('/sys/class/net/docker0');
  writeFileSync(join(dir, 'bridge'), bridgeExisted ? 'existed\n' : 'created\n');
  const exitReason = spawnDockerd(dir, dockerHost);
  // At exit the engine goes with its owner, unless other live processes use it (see leavePrivateEngine).
  const atExit = () => leavePrivateEngine(dir);
  trackCleanup(atExit);
  // An explicit stop() stops it whoever else uses it: the owner says when its run is over.
  const stop = () => {
    untrackCleanup(atExit);
    stopPrivateEngineSync(dir);
  };
  try {
    await waitFor(
      'dockerd to answer',
      async () => (await pingEngine(dockerHost, 500)) || undefined,
      {
        timeoutMs: startTimeoutMs,
        intervalMs: 50,
        abortIf: () => {
          const reason = exitReason();
          return reason === undefined ? undefined : new Error(reason);
        },
      },
    );
  } catch (error) {
    const reason = exitReason() ?? `not answering after ${startTimeoutMs} ms`;
    const log = readTrimmedText(join(dir, 'dockerd.log')) ?? '(no dockerd log)';
    stop();
    throw new HarnessError(
      HarnessErrorCode.EngineMissing,
      `dockerd could not be started here (${reason}):\n${log.split('\n').slice(-15).join('\n')}`,
      { cause: error },
    );
  }
  registerPrivateEngineUser(dir);
  return { dockerHost, stop };
}

/**
 * Spawns dockerd detached (it outlives a test worker that hands it on, see `leavePrivateEngine`),
 * logging into the folder; returns why it ended, once it has.
 */
function spawnDockerd(dir: string, dockerHost: string): () => string | undefined {
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
  return () => exited;
}

/** Takes the machine's private engine folder, clearing what a dead owner left behind. */
function claimEngineDir(dir: string): void {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (claimOwnedDir(dir)) return;
    const owner = ownerOf(dir);
    if (owner !== undefined && isProcessAlive(owner)) {
      throw new HarnessError(
        HarnessErrorCode.EngineMissing,
        `The private container engine of process ${owner} (${dir}) does not answer`,
      );
    }
    stopPrivateEngineSync(dir);
  }
  throw new HarnessError(HarnessErrorCode.EngineMissing, `Could not claim ${dir}`);
}
