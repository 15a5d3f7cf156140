import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPid } from './readPid.js';

/**
 * Creates the folder `path` holding an `owner` file with this process's pid, in one atomic rename:
 * the folder never exists without its owner, and of two processes claiming it at once exactly one
 * succeeds. False when it exists already.
 */
export function claimOwnedDir(path: string): boolean {
  const staging = mkdtempSync(`${path}.claim-`);
  writeFileSync(join(staging, 'owner'), `${process.pid}\n`);
  try {
    renameSync(staging, path);
    return true;
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
    return false;
  }
}

/** The pid in the `owner` file of a folder made by {@link claimOwnedDir}, if readable. */
export function ownerOf(path: string): number | undefined {
  return readPid(join(path, 'owner'));
}

/**
 * Removes a folder left by a dead owner. It is renamed aside first: rename is atomic, so of two
 * processes clearing the same folder only one removes it, and neither removes the folder the other
 * has just created in its place. False when it was gone already (someone else cleared it).
 */
export function removeAside(path: string): boolean {
  const trash = `${path}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    renameSync(path, trash);
  } catch {
    return false;
  }
  rmSync(trash, { recursive: true, force: true });
  return true;
}
