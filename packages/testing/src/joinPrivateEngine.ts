import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ownerOf } from './claimOwnedDir.js';
import { pingEngine } from './docker.js';
import { trackCleanup } from './exitCleanup.js';
import { livePrivateEngineHost } from './privateEngineDir.js';
import { isProcessAlive } from './processState.js';
import { stopPrivateEngineSync } from './stopPrivateEngineSync.js';
import { waitFor } from './waitFor.js';

/**
 * Uses the private engine in `dir` that another live process started, as one of its users, if it
 * answers within 10 s; resolves with its `DOCKER_HOST`, or undefined when there is none.
 */
export async function joinLivePrivateEngine(dir: string): Promise<string | undefined> {
  const dockerHost = livePrivateEngineHost(dir);
  if (dockerHost === undefined || !(await engineAnswers(dockerHost, 10_000))) return undefined;
  registerPrivateEngineUser(dir);
  trackCleanup(() => leavePrivateEngine(dir));
  return dockerHost;
}

/** Adds this process to the users of the private engine in `dir` (see {@link leavePrivateEngine}). */
export function registerPrivateEngineUser(dir: string): void {
  mkdirSync(join(dir, 'users'), { recursive: true });
  writeFileSync(join(dir, 'users', String(process.pid)), '');
}

/**
 * At the exit of a process that uses a private engine: it stops being a user; if it owned the
 * engine (or the owner is gone), the engine passes to a live user, or, with none left, is stopped
 * and removed. So test workers that share an engine one of them started keep it until the last
 * one ends.
 */
export function leavePrivateEngine(dir: string): void {
  rmSync(join(dir, 'users', String(process.pid)), { force: true });
  const owner = ownerOf(dir);
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
  // Written aside and renamed over the owner file, so that a reader never sees it half written.
  const next = join(dir, `owner.${process.pid}`);
  writeFileSync(next, `${heir}\n`);
  renameSync(next, join(dir, 'owner'));
}

/** True once an engine answers at `dockerHost`, false when it has not within `timeoutMs`. */
function engineAnswers(dockerHost: string, timeoutMs: number): Promise<boolean> {
  return waitFor(
    `the engine at ${dockerHost}`,
    async () => (await pingEngine(dockerHost)) || undefined,
    {
      timeoutMs,
      intervalMs: 100,
    },
  ).then(
    () => true,
    () => false,
  );
}
