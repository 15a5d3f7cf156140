import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownerOf } from './claimOwnedDir.js';
import { isProcessAlive } from './processState.js';

/**
 * The private daemon's folder. One per machine: two daemons would fight over the `docker0`
 * bridge and its addresses, so a second test run uses the first run's daemon.
 */
export function privateEngineDir(): string {
  return join(tmpdir(), 'stowage-testing-engine');
}

/** The `DOCKER_HOST` of the private engine in `dir`: its socket inside the folder. */
export function privateEngineHost(dir: string): string {
  return `unix://${join(dir, 'docker.sock')}`;
}

/** The `DOCKER_HOST` of the private engine in `dir` if its owner still runs. */
export function livePrivateEngineHost(dir: string): string | undefined {
  const owner = ownerOf(dir);
  return owner !== undefined && isProcessAlive(owner) ? privateEngineHost(dir) : undefined;
}
