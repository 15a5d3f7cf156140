import { containerServerCommand } from './ContainerSpec.js';
import { type ContainerEngine, startContainerEngine } from './containerEngine.js';
import { launchRedisContainer } from './launchRedisContainer.js';
import type { RedisContainer } from './RedisContainer.js';
import { ensureLocalRedisImage } from './redisImage.js';
import { redisOptionArgs } from './redisOptionArgs.js';
import { prepareServerResources } from './serverResources.js';
import type { StartRedisServerOptions } from './startRedisServer.js';
import { sweepDeadOwners } from './sweepDeadOwners.js';

/** Options of {@link startRedisContainer}: those of `startRedisServer`, plus the container's own. */
export interface StartRedisContainerOptions extends Omit<StartRedisServerOptions, 'provider'> {
  /**
   * Image to run instead of the one built from this machine's Redis (`stowage-redis:<version>`),
   * e.g. the official `redis:7`; also read from `REDIS_TEST_IMAGE`. It must have `redis-server`
   * on its PATH (its command is `redis-server ARGS`). A named image is pulled if absent.
   */
  readonly image?: string;
  /**
   * cgroup memory limit of the container in MiB (swap included, so the kernel kills instead of
   * swapping): below what Redis needs, the kernel's OOM killer ends it.
   */
  readonly memoryLimitMb?: number;
}

/** Port Redis listens on inside every container; the host side is a leased loopback port. */
const CONTAINER_PORT = 6379;
const CERTS_IN_CONTAINER = '/tls';

/**
 * Starts one throwaway Redis in a container (testcontainers 11), published on a leased
 * `127.0.0.1` port, and resolves once it answers through that port. The engine is found or started
 * by {@link startContainerEngine}; the image is built from this machine's Redis binaries unless
 * `image` names another. `stop()` (or the exit of the test process) removes the container.
 */
export async function startRedisContainer(
  options: StartRedisContainerOptions = {},
): Promise<RedisContainer> {
  const { engine, image } = await prepareContainers(options.image);
  const resources = await prepareServerResources('redis-container', options.tls);
  const { dir, port, certificates } = resources;
  const tlsFiles =
    certificates === undefined
      ? undefined
      : {
          ca: `${CERTS_IN_CONTAINER}/ca.crt`,
          cert: `${CERTS_IN_CONTAINER}/server.crt`,
          key: `${CERTS_IN_CONTAINER}/server.key`,
        };
  const command = containerServerCommand(
    redisOptionArgs({
      port: CONTAINER_PORT,
      password: options.password,
      users: options.users,
      tlsFiles,
      tls: { authClients: options.tls?.authClients ?? false },
      args: options.args,
    }),
  );
  const files =
    certificates === undefined || tlsFiles === undefined
      ? []
      : [
          { content: certificates.ca, target: tlsFiles.ca, mode: 0o644 },
          { content: certificates.cert, target: tlsFiles.cert, mode: 0o644 },
          { content: certificates.key, target: tlsFiles.key, mode: 0o644 },
        ];
  return launchRedisContainer({
    engine,
    image,
    name: `redis container 127.0.0.1:${port}`,
    port,
    containerPort: CONTAINER_PORT,
    command,
    files,
    dir,
    password: options.password,
    users: options.users,
    certificates,
    memoryLimitMb: options.memoryLimitMb,
    startTimeoutMs: options.startTimeoutMs ?? 30_000,
    release: resources.release,
  });
}

/**
 * The engine (found or started), after the sweep of dead owners' containers, and the image to run:
 * `image`, else `REDIS_TEST_IMAGE`, else the one built from this machine's Redis.
 */
export async function prepareContainers(
  image: string | undefined,
): Promise<{ engine: ContainerEngine; image: string }> {
  const engine = await startContainerEngine();
  await sweepDeadOwners(engine);
  return {
    engine,
    image:
      image ?? process.env.REDIS_TEST_IMAGE ?? (await ensureLocalRedisImage(engine.dockerHost)),
  };
}
