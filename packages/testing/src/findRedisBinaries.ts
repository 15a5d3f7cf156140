import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';

/** Where the Redis executables were found. */
export interface RedisBinaries {
  /**
   * Absolute path of the server executable: `redis-server`, or Debian's `redis-check-rdb` (the
   * same binary, which picks its role from its program name) when only `redis-tools` is installed.
   */
  readonly server: string;
  /** The program name to start {@link RedisBinaries.server} under: always `redis-server`. */
  readonly serverArgv0: string;
  /** Absolute path of `redis-cli`. */
  readonly cli: string;
  /**
   * How to start a Sentinel: `redis-sentinel` when installed, otherwise `redis-server` with
   * `--sentinel` (Debian's `redis-tools` ships only the latter; both run the same code).
   */
  readonly sentinel: {
    readonly command: string;
    readonly argv0: string;
    readonly extraArgs: readonly string[];
  };
}

// Debian keeps the binaries in /usr/bin; the fallbacks help when PATH is trimmed (CI runners, IDEs).
const fallbackDirs = ['/usr/bin', '/usr/local/bin', '/opt/homebrew/bin'];

/** PATH followed by the usual install folders. */
function searchDirs(): string[] {
  return [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...fallbackDirs];
}

/** Finds an executable on PATH (or in the usual install folders); undefined when absent. */
export function findExecutable(
  name: string,
  dirs: readonly string[] = searchDirs(),
): string | undefined {
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder; keep looking.
    }
  }
  return undefined;
}

let cached: RedisBinaries | undefined;

/**
 * Locates `redis-server` and `redis-cli`, and throws a {@link HarnessError} with code
 * `BINARY_MISSING` that names the package to install when either is missing. Every `start*`
 * function calls this first, so a machine without Redis fails with one clear message instead of a
 * spawn error.
 */
export function findRedisBinaries(): RedisBinaries {
  cached ??= locateRedisBinaries(searchDirs());
  return cached;
}

/** The uncached search behind {@link findRedisBinaries}, over the given folders. */
export function locateRedisBinaries(dirs: readonly string[]): RedisBinaries {
  // Debian's redis-tools ships the server binary only as redis-check-rdb (the redis-server
  // package adds the name, and a system service the harness does not want). Redis chooses what to
  // run from argv[0], so it starts as a server under the name redis-server.
  const server = findExecutable('redis-server', dirs) ?? findExecutable('redis-check-rdb', dirs);
  const cli = findExecutable('redis-cli', dirs);
  const missing = [server === undefined ? 'redis-server' : '', cli === undefined ? 'redis-cli' : '']
    .filter(Boolean)
    .join(' and ');
  if (server === undefined || cli === undefined) {
    throw new HarnessError(
      HarnessErrorCode.BinaryMissing,
      `${missing} not found on PATH. Install the Debian/Ubuntu package "redis-tools" ` +
        '(apt-get install redis-tools), or Homebrew "redis" on macOS. The "redis-server" service ' +
        'package is not needed: the harness starts its own processes.',
    );
  }
  const redisSentinel = findExecutable('redis-sentinel', dirs);
  return {
    server,
    serverArgv0: 'redis-server',
    cli,
    sentinel:
      redisSentinel === undefined
        ? { command: server, argv0: 'redis-server', extraArgs: ['--sentinel'] }
        : { command: redisSentinel, argv0: 'redis-sentinel', extraArgs: [] },
  };
}
