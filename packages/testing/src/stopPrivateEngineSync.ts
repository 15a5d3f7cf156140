import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runDockerSync } from './docker.js';
import { privateEngineHost } from './privateEngineDir.js';
import { isProcessGone, signalProcess } from './processState.js';
import { readPid, readTrimmedText } from './readPid.js';
import { waitForSync } from './waitFor.js';

/**
 * Stops a private engine and removes all it made, synchronously (it also runs from the exit hook
 * and from the start-up sweep of a dead owner's engine): containers, the daemon and its containerd,
 * every mount under the folder, the bridge if the engine created it, then the folder (its data
 * root held the images and networks).
 */
export function stopPrivateEngineSync(dir: string): void {
  const dockerHost = privateEngineHost(dir);
  const ids = runDockerSync(dockerHost, ['ps', '-aq']).split('\n').filter(Boolean);
  if (ids.length > 0) runDockerSync(dockerHost, ['rm', '-f', '-v', ...ids]);
  const daemon = readPid(join(dir, 'dockerd.pid'));
  if (daemon !== undefined && commandLineMentions(daemon, dir)) {
    signalProcess(daemon, 'SIGTERM');
    if (!waitGoneSync(daemon, 15_000)) signalProcess(daemon, 'SIGKILL');
  }
  // containerd, its shims and anything left in the containers' cgroups.
  for (const pid of processesMentioning(dir)) signalProcess(pid, 'SIGKILL');
  for (const pid of containerProcesses(join(dir, 'data', 'containers'))) {
    signalProcess(pid, 'SIGKILL');
  }
  for (const mount of mountsUnder(dir)) {
    try {
      execFileSync('umount', ['-l', mount], { stdio: 'ignore' });
    } catch {
      // Already gone.
    }
  }
  if (readTrimmedText(join(dir, 'bridge')) === 'created' && existsSync('/sys/class/net/docker0')) {
    try {
      execFileSync('ip', ['link', 'delete', 'docker0'], { stdio: 'ignore' });
    } catch {
      // No iproute2, or already removed.
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

/** False when `pid` still runs after `timeoutMs`. */
function waitGoneSync(pid: number, timeoutMs: number): boolean {
  try {
    waitForSync(`process ${pid} to end`, () => isProcessGone(pid) || undefined, {
      timeoutMs,
      intervalMs: 50,
    });
    return true;
  } catch {
    return false;
  }
}

function commandLineMentions(pid: number, text: string): boolean {
  return readTrimmedText(`/proc/${pid}/cmdline`)?.replaceAll('\0', ' ').includes(text) ?? false;
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
      for (const line of (readTrimmedText(procs) ?? '').split('\n')) {
        if (/^\d+$/.test(line)) pids.push(Number(line));
      }
    }
  }
  return pids;
}

/** Mount points under `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  const lines = (readTrimmedText('/proc/self/mountinfo') ?? '').split('\n');
  return lines
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mount) => mount === dir || mount.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}
