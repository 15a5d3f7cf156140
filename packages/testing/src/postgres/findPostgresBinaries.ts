import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable } from '../findRedisBinaries.js';
import { HarnessError, HarnessErrorCode } from '../HarnessError.js';

/** Where the PostgreSQL server executables were found. */
export interface PostgresBinaries {
  /** The folder holding both executables. */
  readonly bindir: string;
  /** Absolute path of `initdb`. */
  readonly initdb: string;
  /** Absolute path of `postgres` (the postmaster). */
  readonly postgres: string;
}

/** Debian installs each major version side by side and puts none of the server binaries on PATH. */
const debianRoot = '/usr/lib/postgresql';

/** Both executables in `dir`, or undefined when either is missing. */
function binariesIn(dir: string): PostgresBinaries | undefined {
  const initdb = findExecutable('initdb', [dir]);
  const postgres = findExecutable('postgres', [dir]);
  return initdb === undefined || postgres === undefined
    ? undefined
    : { bindir: dir, initdb, postgres };
}

/** Debian's version folders, newest major version first. */
function debianBinDirs(): string[] {
  let versions: string[];
  try {
    versions = readdirSync(debianRoot).filter((name) => /^\d+(\.\d+)?$/.test(name));
  } catch {
    return [];
  }
  return versions
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    .map((version) => join(debianRoot, version, 'bin'));
}

/** The folder `pg_config --bindir` names, when pg_config is on PATH. */
function pgConfigBinDir(): string | undefined {
  const pgConfig = findExecutable('pg_config');
  if (pgConfig === undefined) return undefined;
  try {
    return execFileSync(pgConfig, ['--bindir'], { encoding: 'utf8', timeout: 5_000 }).trim();
  } catch {
    return undefined;
  }
}

let cached: PostgresBinaries | undefined;

/**
 * Locates `initdb` and `postgres`: Debian's `/usr/lib/postgresql/<newest>/bin`, then PATH, then
 * `pg_config --bindir`. Throws a {@link HarnessError} with code `BINARY_MISSING` naming the package
 * to install when none has both, so a machine without PostgreSQL fails with one clear message.
 */
export function findPostgresBinaries(): PostgresBinaries {
  if (cached !== undefined) return cached;
  for (const dir of debianBinDirs()) {
    cached = binariesIn(dir);
    if (cached !== undefined) return cached;
  }
  const initdb = findExecutable('initdb');
  const postgres = findExecutable('postgres');
  if (initdb !== undefined && postgres !== undefined) {
    cached = { bindir: join(postgres, '..'), initdb, postgres };
    return cached;
  }
  const fromPgConfig = pgConfigBinDir();
  cached = fromPgConfig === undefined ? undefined : binariesIn(fromPgConfig);
  if (cached !== undefined) return cached;
  throw new HarnessError(
    HarnessErrorCode.BinaryMissing,
    `initdb and postgres not found (looked in ${debianRoot}/<version>/bin, on PATH and in ` +
      '`pg_config --bindir`). Install the Debian/Ubuntu package "postgresql" ' +
      '(apt-get install postgresql), or Homebrew "postgresql" on macOS. No system service is ' +
      'needed: the harness starts its own server.',
  );
}
