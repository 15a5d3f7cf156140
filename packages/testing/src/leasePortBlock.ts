import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownerOf, removeAside } from './claimOwnedDir.js';
import { trackPath, untrackPath } from './exitCleanup.js';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';
import { isProcessAlive } from './processState.js';

/** A block of loopback ports reserved for this process. */
export interface PortBlockLease {
  /** Every port of the block, lowest first. */
  readonly ports: readonly number[];
  /**
   * The next port of the block that is free right now (checked by binding it on 127.0.0.1). Each
   * port is handed out once; throws `PORTS_EXHAUSTED` when the block is used up.
   */
  next(): Promise<number>;
  /** Gives the block back. Idempotent; also happens automatically when the process exits. */
  release(): void;
}

/** Where {@link leasePortBlock} may look for ports. */
export interface LeasePortBlockOptions {
  /**
   * Inclusive port range. The default, 17000-31000, stays below Linux's ephemeral range (32768+),
   * so outgoing connections never sit on a leased port, and away from 6379/26379.
   */
  readonly range?: { readonly first: number; readonly last: number };
  /** Folder holding the lock directories; every cooperating process must use the same one. */
  readonly lockDir?: string;
}

/** Ports are locked in slabs of this many, so blocks of any size can share one lock namespace. */
const slabSize = 10;
/** A lock directory younger than this may still be waiting for its owner file to be written. */
const ownerGraceMs = 5_000;

/** The folder under os.tmpdir() where port locks live unless told otherwise. */
function defaultPortLockDir(): string {
  return join(tmpdir(), 'stowage-testing-ports');
}

/**
 * Reserves `size` consecutive loopback ports for this process, so that parallel test workers (and
 * other projects using the same lock folder) never start servers on the same port. The reservation
 * is one atomic `mkdir` per slab of 10 ports, holding a file with the owner's pid; a lock whose owner
 * is dead is reclaimed. Each port is also bind-probed before {@link PortBlockLease.next} returns it,
 * which catches programs that do not take part in the locking.
 */
export async function leasePortBlock(
  size = 50,
  options: LeasePortBlockOptions = {},
): Promise<PortBlockLease> {
  const first = options.range?.first ?? 17_000;
  const last = options.range?.last ?? 31_000;
  if (!Number.isInteger(size) || size < 1 || first < 1024 || last > 65_535 || first > last) {
    throw new HarnessError(
      HarnessErrorCode.InvalidOptions,
      `Cannot lease ${size} ports in ${first}-${last}: use a positive size inside 1024-65535`,
    );
  }
  const lockDir = options.lockDir ?? defaultPortLockDir();
  mkdirSync(lockDir, { recursive: true });

  const firstSlab = Math.ceil(first / slabSize);
  const slabCount = Math.floor((last + 1) / slabSize) - firstSlab;
  const slabsNeeded = Math.ceil(size / slabSize);
  const candidates = Math.floor(slabCount / slabsNeeded);
  // Start at a pid-dependent offset so that workers starting together rarely race for one block.
  const offset = candidates > 0 ? process.pid % candidates : 0;
  for (let i = 0; i < candidates; i += 1) {
    const startSlab = firstSlab + ((offset + i) % candidates) * slabsNeeded;
    const locks = lockSlabs(lockDir, startSlab, slabsNeeded);
    if (locks === undefined) continue;
    const base = startSlab * slabSize;
    return createLease(
      Array.from({ length: size }, (_, index) => base + index),
      locks,
    );
  }
  throw new HarnessError(
    HarnessErrorCode.PortsExhausted,
    `No free block of ${size} ports in ${first}-${last}: every slab is locked by a live process (locks in ${lockDir})`,
  );
}

function createLease(ports: number[], locks: string[]): PortBlockLease {
  let cursor = 0;
  let released = false;
  return {
    ports,
    async next() {
      while (!released && cursor < ports.length) {
        const port = ports[cursor]!;
        cursor += 1;
        if (await isPortFree(port)) return port;
      }
      throw new HarnessError(
        HarnessErrorCode.PortsExhausted,
        released
          ? 'This port block was released'
          : `All ${ports.length} ports of the block ${ports[0]}-${ports.at(-1)} are used`,
      );
    },
    release() {
      if (released) return;
      released = true;
      for (const lock of locks) unlock(lock);
    },
  };
}

/** Locks `count` consecutive slabs, all or nothing; undefined when any of them is taken. */
function lockSlabs(lockDir: string, startSlab: number, count: number): string[] | undefined {
  const held: string[] = [];
  for (let slab = startSlab; slab < startSlab + count; slab += 1) {
    const lock = join(lockDir, `ports-${slab * slabSize}`);
    if (!tryLock(lock)) {
      for (const path of held) unlock(path);
      return undefined;
    }
    held.push(lock);
  }
  return held;
}

function tryLock(lock: string): boolean {
  // Two attempts: the second follows the reclaim of a lock whose owner died.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      mkdirSync(lock);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!reclaimIfStale(lock)) return false;
      continue;
    }
    trackPath(lock);
    writeFileSync(join(lock, 'owner'), `${process.pid}\n`);
    return true;
  }
  return false;
}

/** Removes a lock whose owner is dead; false when the owner still runs (or might). */
function reclaimIfStale(lock: string): boolean {
  const owner = ownerOf(lock);
  if (owner === undefined) {
    // mkdir and the owner file are two steps: a fresh lock without a file is someone mid-way.
    try {
      if (Date.now() - statSync(lock).mtimeMs < ownerGraceMs) return false;
    } catch {
      return true; // Vanished meanwhile: free to try again.
    }
  } else if (isProcessAlive(owner)) {
    return false;
  }
  // Gone meanwhile or removed here: either way the slab is free to try again.
  removeAside(lock);
  return true;
}

function unlock(lock: string): void {
  // Only remove what is still ours: after a reclaim race the folder may belong to someone else.
  if (ownerOf(lock) === process.pid) rmSync(lock, { recursive: true, force: true });
  untrackPath(lock);
}

/** True when nothing listens on 127.0.0.1:port (or on a wildcard address covering it). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      probe.close(() => resolve(true));
    });
  });
}
