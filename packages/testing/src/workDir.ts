import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackPath, untrackPath } from './exitCleanup.js';

/**
 * Creates a fresh folder under os.tmpdir() for one server or topology, registered for removal if
 * the process exits before the topology is stopped.
 */
export async function createWorkDir(kind: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `stowage-${kind}-`));
  trackPath(dir);
  return dir;
}

/** Removes a folder made by {@link createWorkDir} and takes it off the exit list. */
export async function removeWorkDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  untrackPath(dir);
}
