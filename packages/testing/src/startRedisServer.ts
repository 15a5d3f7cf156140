import { findRedisBinaries } from './findRedisBinaries.js';
import { launchRedisServer } from './launchRedisServer.js';
import type { RedisServer, RedisUser } from './RedisServer.js';
import { type RedisProvider, resolveRedisProvider } from './redisProvider.js';
import { prepareServerResources } from './serverResources.js';
import { startRedisContainer } from './startRedisContainer.js';
import type { TlsOptions } from './TlsOptions.js';

/** Options of {@link startRedisServer}. */
export interface StartRedisServerOptions {
  /** Password of the default user (`requirepass`). */
  readonly password?: string;
  /** ACL users to create at start-up. */
  readonly users?: readonly RedisUser[];
  /** Serve TLS only (`--port 0 --tls-port P`), with certificates generated for this server. */
  readonly tls?: TlsOptions;
  /**
   * Extra redis-server arguments, one word each, appended last so they win, e.g.
   * `['--rename-command', 'FLUSHALL', '']` or `['--maxmemory', '10mb']`.
   */
  readonly args?: readonly string[];
  /** Give up (and report the server log) if the server is not ready after this long. Default 10 s. */
  readonly startTimeoutMs?: number;
  /**
   * `process` (default) runs the machine's redis-server; `container` runs Redis in a container
   * through testcontainers (see `startRedisContainer`). When absent, `REDIS_TEST_PROVIDER` decides.
   */
  readonly provider?: RedisProvider;
}

/**
 * Starts one throwaway redis-server on a free loopback port and resolves once it answers. Nothing is
 * persisted; `stop()` (or the exit of the test process) kills it and removes its folder.
 *
 * @example
 * const server = await startRedisServer({ password: 'secret' });
 * try {
 *   await server.redisCli('SET', 'greeting', 'hello');
 * } finally {
 *   await server.stop();
 * }
 */
export async function startRedisServer(
  options: StartRedisServerOptions = {},
): Promise<RedisServer> {
  if (resolveRedisProvider(options.provider) === 'container') {
    const { provider: _, ...containerOptions } = options;
    return startRedisContainer(containerOptions);
  }
  findRedisBinaries();
  const { dir, port, ports, certificates } = await prepareServerResources('redis', options.tls);
  return launchRedisServer({
    name: 'redis-server',
    port,
    dir,
    password: options.password,
    users: options.users,
    tls:
      certificates === undefined
        ? undefined
        : { certificates, authClients: options.tls?.authClients ?? false },
    args: options.args,
    ports,
    ownedDirs: [dir],
    startTimeoutMs: options.startTimeoutMs ?? 10_000,
  });
}
