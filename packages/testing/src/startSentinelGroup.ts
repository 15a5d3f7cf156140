import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSentinelGroupHandle } from './createSentinelGroupHandle.js';
import { createTestCertificates, type TestCertificates } from './createTestCertificates.js';
import { findRedisBinaries } from './findRedisBinaries.js';
import { type ConnectionTarget, clientTls, sendForText, targetOf } from './HarnessConnection.js';
import { launchRedisServer } from './launchRedisServer.js';
import { parseInfo } from './parseInfo.js';
import { allocatePorts, releasePorts } from './portPool.js';
import { RedisProcess } from './RedisProcess.js';
import type { RedisServer } from './RedisServer.js';
import { type RedisProvider, resolveRedisProvider } from './redisProvider.js';
import type { SentinelGroup } from './SentinelGroup.js';
import { sentinelConfig } from './sentinelConfig.js';
import { startContainerSentinelGroup } from './startContainerSentinelGroup.js';
import type { TlsOptions } from './TlsOptions.js';
import { waitFor } from './waitFor.js';
import { createWorkDir, removeWorkDir } from './workDir.js';

/** Options of {@link startSentinelGroup}. */
export interface StartSentinelGroupOptions {
  /** Master name the sentinels monitor. Default `mymaster`. */
  readonly name?: string;
  /** Password of every data node (`requirepass` + `masterauth`; `auth-pass` for the sentinels). */
  readonly password?: string;
  /** Password of the sentinels themselves (`requirepass` in their config). */
  readonly sentinelPassword?: string;
  /** TLS everywhere: data nodes, replication, sentinels. */
  readonly tls?: TlsOptions;
  /** Bound for each process start and for the replicas' initial sync. Default 10 s. */
  readonly startTimeoutMs?: number;
  /**
   * `process` (default) or `container` (every node and sentinel in a container; no TLS). When
   * absent, `REDIS_TEST_PROVIDER` decides.
   */
  readonly provider?: RedisProvider;
}

export const replicaCount = 2;
export const sentinelCount = 3;
export const quorum = 2;

/**
 * Starts a primary, two replicas (`--replicaof`) and three sentinels (quorum 2,
 * down-after-milliseconds 1000, failover-timeout 3000, parallel-syncs 2) and resolves once the
 * replicas are in sync and the sentinels answer. Replicas start before the sentinels so that the
 * sentinels' first `INFO` of the primary already lists them (the next one would come 10 s later).
 */
export async function startSentinelGroup(
  options: StartSentinelGroupOptions = {},
): Promise<SentinelGroup> {
  if (resolveRedisProvider(options.provider) === 'container') {
    return startContainerSentinelGroup(options);
  }
  const binaries = findRedisBinaries();
  const name = options.name ?? 'mymaster';
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const root = await createWorkDir('sentinel');
  const nodes: RedisServer[] = [];
  const sentinels: RedisProcess[] = [];
  let ports: number[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all([
      ...nodes.map((node) => node.stop()),
      ...sentinels.map((sentinel) => sentinel.kill()),
    ]);
    await removeWorkDir(root);
    // Data nodes release their own port; this covers the sentinels and any node that never started.
    releasePorts(ports);
  };

  try {
    let certificates: TestCertificates | undefined;
    [ports, certificates] = await Promise.all([
      allocatePorts(1 + replicaCount + sentinelCount),
      options.tls === undefined
        ? undefined
        : (options.tls.certificates ?? createTestCertificates(join(root, 'tls'))),
    ]);
    const tls =
      certificates === undefined
        ? undefined
        : { certificates, authClients: options.tls?.authClients ?? false };
    const [primaryPort, ...rest] = ports as [number, ...number[]];
    const replicaPorts = rest.slice(0, replicaCount);
    const sentinelPorts = rest.slice(replicaCount);

    const startNode = async (port: number, args: string[]) => {
      const dir = join(root, `node-${port}`);
      await mkdir(dir);
      const node = await launchRedisServer({
        name: 'sentinel-group data node',
        port,
        dir,
        password: options.password,
        tls,
        args,
        ports: [port],
        ownedDirs: [dir],
        startTimeoutMs,
      });
      nodes.push(node);
      return node;
    };
    await startNode(primaryPort, []);
    const replicas = await Promise.all(
      replicaPorts.map((port) =>
        startNode(port, ['--replicaof', '127.0.0.1', String(primaryPort)]),
      ),
    );
    await Promise.all(replicas.map((replica) => waitForSync(replica, startTimeoutMs)));

    await Promise.all(
      sentinelPorts.map(async (port) => {
        const dir = join(root, `sentinel-${port}`);
        await mkdir(dir);
        const configFile = join(dir, 'sentinel.conf');
        const logFile = join(dir, 'sentinel.log');
        const pidFile = join(dir, 'sentinel.pid');
        const sentinel = new RedisProcess({
          name: `redis-sentinel 127.0.0.1:${port}`,
          command: binaries.sentinel.command,
          argv0: binaries.sentinel.argv0,
          args: [configFile, ...binaries.sentinel.extraArgs],
          dir,
          logFile,
          pidFile,
          target: {
            host: '127.0.0.1',
            port,
            password: options.sentinelPassword,
            tls: clientTls(certificates),
          },
          prepare: () =>
            writeFile(
              configFile,
              sentinelConfig({
                port,
                dir,
                logFile,
                pidFile,
                masterName: name,
                primaryPort,
                quorum,
                password: options.password,
                sentinelPassword: options.sentinelPassword,
                tls,
              }),
            ),
          startTimeoutMs,
        });
        sentinels.push(sentinel);
        await sentinel.start();
      }),
    );
    const sentinelTargets: ConnectionTarget[] = sentinelPorts.map((port) => ({
      host: '127.0.0.1',
      port,
      password: options.sentinelPassword,
      tls: clientTls(certificates),
    }));
    return createSentinelGroupHandle({
      name,
      nodes: [...nodes].sort((a, b) =>
        a.port === primaryPort ? -1 : b.port === primaryPort ? 1 : 0,
      ),
      sentinelTargets,
      password: options.password,
      sentinelPassword: options.sentinelPassword,
      certificates,
      stop,
    });
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Waits until a replica reports `master_link_status:up`. */
export async function waitForSync(replica: RedisServer, timeoutMs: number): Promise<void> {
  await waitFor(
    `replica ${replica.port} to sync`,
    async () => {
      const info = parseInfo(await sendForText(targetOf(replica), ['INFO', 'replication']));
      return info.get('master_link_status') === 'up' ? true : undefined;
    },
    { timeoutMs, details: () => replica.logTail() },
  );
}
