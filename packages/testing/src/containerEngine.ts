import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pingEngine } from './docker.js';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';
import { joinLivePrivateEngine } from './joinPrivateEngine.js';
import { privateEngineDir } from './privateEngineDir.js';
import { processWide } from './processWide.js';
import { startPrivateEngine, whyNoPrivateEngine } from './startPrivateEngine.js';

/** A container engine the container provider talks to. */
export interface ContainerEngine {
  /** The `DOCKER_HOST` value that reaches it, e.g. `unix:///tmp/stowage-testing-engine/docker.sock`. */
  readonly dockerHost: string;
  /**
   * True when this process started the engine: {@link ContainerEngine.stop} (or the exit of the
   * process) then removes its containers, images, networks and bridge, and stops it. An engine
   * that was already answering is never stopped.
   */
  readonly owned: boolean;
  /** Stops an owned engine and removes all it made; does nothing for an engine found running. */
  stop(): Promise<void>;
}

/** Options of {@link startContainerEngine}. */
export interface StartContainerEngineOptions {
  /** Bound for a daemon started here to answer. Default 30 s. */
  readonly startTimeoutMs?: number;
}

/** Set by a global set-up that found no engine, so that every test file skips without retrying. */
export const ENGINE_MISSING_VARIABLE = 'REDIS_TEST_ENGINE_MISSING';

/** Where Docker and Docker Desktop put their socket. */
const defaultSockets = ['/var/run/docker.sock', join(homedir(), '.docker/run/docker.sock')];

/** The engine this process found or started, once asked for. */
function state(): { engine?: Promise<ContainerEngine> | undefined } {
  return processWide('@stowage/testing/containerEngine', () => ({}));
}

/**
 * Finds a container engine, or starts one, and points this process at it (`DOCKER_HOST`, and the
 * testcontainers settings this machine needs). In order:
 *
 * 1. `DOCKER_HOST`, when it answers;
 * 2. the private daemon of another live test run on this machine (one folder per machine under
 *    `os.tmpdir()`: two daemons would fight over the `docker0` bridge);
 * 3. the default sockets (`/var/run/docker.sock`, Docker Desktop's `~/.docker/run/docker.sock`);
 * 4. a private `dockerd` of its own (Linux, root, `dockerd` on PATH: Debian's `docker.io`), with
 *    its own socket, data root, exec root and pidfile, loopback-only published ports and the
 *    host's firewall left alone (`--ip=127.0.0.1 --iptables=false --ip6tables=false`).
 *
 * Otherwise it throws `ENGINE_MISSING` naming what is missing. Memoised per process: call it in a
 * test runner's global set-up to own the engine for the whole run (its workers then find it).
 */
export function startContainerEngine(
  options: StartContainerEngineOptions = {},
): Promise<ContainerEngine> {
  const current = state();
  current.engine ??= resolveEngine(options).catch((error: unknown) => {
    current.engine = undefined;
    throw error;
  });
  return current.engine;
}

/**
 * Why container tests cannot run here, or undefined when an engine answers (found or started by
 * {@link startContainerEngine}). For `describe.skipIf`: a skipped file can say why in the output.
 */
export async function whyNoContainerEngine(): Promise<string | undefined> {
  const known = process.env[ENGINE_MISSING_VARIABLE];
  if (known) return known;
  try {
    await startContainerEngine();
    return undefined;
  } catch (error) {
    if (HarnessError.is(error) && error.code === HarnessErrorCode.EngineMissing) {
      return error.message;
    }
    throw error;
  }
}

async function resolveEngine(options: StartContainerEngineOptions): Promise<ContainerEngine> {
  const tried: string[] = [];
  const answers = async (dockerHost: string): Promise<boolean> => {
    if (await pingEngine(dockerHost)) return true;
    tried.push(dockerHost);
    return false;
  };
  const configured = process.env.DOCKER_HOST;
  if (configured !== undefined && (await answers(configured))) return useEngine(configured);
  const dir = privateEngineDir();
  const shared = await joinLivePrivateEngine(dir);
  if (shared !== undefined) return useEngine(shared);
  for (const socket of defaultSockets) {
    if (existsSync(socket) && (await answers(`unix://${socket}`))) {
      return useEngine(`unix://${socket}`);
    }
  }
  const missing = whyNoPrivateEngine();
  if (missing !== undefined) {
    throw new HarnessError(
      HarnessErrorCode.EngineMissing,
      `No container engine answers (tried ${tried.join(', ') || 'the default sockets'}) and none ` +
        `can be started here: ${missing}. Start Docker (Docker Desktop, or dockerd as root) or set ` +
        'DOCKER_HOST, or use the process provider (REDIS_TEST_PROVIDER=process).',
    );
  }
  const { dockerHost, stop } = await startPrivateEngine(dir, options.startTimeoutMs ?? 30_000);
  if (stop === undefined) return useEngine(dockerHost);
  return useEngine(dockerHost, async () => {
    stop();
    state().engine = undefined;
  });
}

/** Points this process and testcontainers at `dockerHost`; `stop` is given for an owned engine. */
function useEngine(dockerHost: string, stop?: () => Promise<void>): ContainerEngine {
  process.env.DOCKER_HOST = dockerHost;
  // Ryuk, the reaper container, cannot be pulled here; clean-up is this package's job (stop(),
  // exit hooks, the sweep of dead owners' containers).
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  // Inside a container testcontainers would pull an image to find the host's address;
  // published ports are on this machine's loopback.
  if (existsSync('/.dockerenv')) process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  return { dockerHost, owned: stop !== undefined, stop: stop ?? (async () => {}) };
}
