import { execFile, execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { findExecutable } from './findRedisBinaries.js';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';

/** Labels on every container this package starts, so that sweeps and clean-up find only ours. */
export const ContainerLabel = {
  /** Present on every container (value `redis`) and image (value `image`) of this package. */
  kind: 'org.stowage.testing',
  /** Pid of the test process that started the container: its death makes the container stale. */
  ownerPid: 'org.stowage.testing.owner-pid',
  /** Host name of that process: pids are only meaningful on the machine that wrote them. */
  ownerHost: 'org.stowage.testing.owner-host',
} as const;

/** Path of the docker CLI, or a `BINARY_MISSING` error naming the package. */
function dockerCli(): string {
  const cli = findExecutable('docker');
  if (cli === undefined) {
    throw new HarnessError(
      HarnessErrorCode.BinaryMissing,
      'The docker CLI is not on PATH. Debian/Ubuntu: apt-get install docker.io; ' +
        'macOS/Windows: Docker Desktop.',
    );
  }
  return cli;
}

/**
 * Runs the docker CLI against `dockerHost`; resolves with stdout, trailing newline removed (with
 * `withStderr`, stdout and stderr: `docker logs` prints the container's stderr on its own).
 */
export function runDocker(
  dockerHost: string,
  args: readonly string[],
  { timeoutMs = 60_000, withStderr = false }: { timeoutMs?: number; withStderr?: boolean } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      dockerCli(),
      args,
      { env: { ...process.env, DOCKER_HOST: dockerHost }, timeout: timeoutMs, maxBuffer: 1 << 24 },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new HarnessError(
              HarnessErrorCode.CommandFailed,
              `docker ${args.join(' ')} failed: ${stderr.trim() || error.message}`,
              { cause: error },
            ),
          );
          return;
        }
        resolve((withStderr ? stdout + stderr : stdout).replace(/\r?\n$/, ''));
      },
    );
  });
}

/** The synchronous form of {@link runDocker}, for exit hooks; failures are swallowed. */
export function runDockerSync(dockerHost: string, args: readonly string[]): string {
  const cli = findExecutable('docker');
  if (cli === undefined) return '';
  try {
    return execFileSync(cli, args, {
      env: { ...process.env, DOCKER_HOST: dockerHost },
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'ignore'],
      encoding: 'utf8',
    });
  } catch {
    return '';
  }
}

/**
 * True when an engine answers `GET /_ping` at `dockerHost` (`unix://` or `tcp://`) within the time.
 * A TLS-protected tcp engine (DOCKER_TLS_VERIFY) is taken on trust: the CLI and testcontainers
 * carry its certificates, this probe does not.
 */
export function pingEngine(dockerHost: string, timeoutMs = 2_000): Promise<boolean> {
  if (dockerHost.startsWith('tcp://') && process.env.DOCKER_TLS_VERIFY) {
    return Promise.resolve(true);
  }
  let target: { socketPath: string } | { host: string; port: number };
  if (dockerHost.startsWith('unix://')) {
    target = { socketPath: dockerHost.slice('unix://'.length) };
  } else if (dockerHost.startsWith('tcp://')) {
    const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    target = { host: url.hostname, port: Number(url.port || 2375) };
  } else {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('error', () => resolve(false));
    req.once('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}
