import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestCertificates, type TestCertificates } from './createTestCertificates.js';
import { findRedisBinaries } from './findRedisBinaries.js';
import { sendForText, targetOf } from './HarnessConnection.js';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';
import { keySlot } from './keySlot.js';
import { launchRedisServer } from './launchRedisServer.js';
import { migrateSlot, slotOwnerPort } from './migrateSlot.js';
import { parseInfo } from './parseInfo.js';
import { allocatePorts, releasePorts } from './portPool.js';
import type { RedisCluster } from './RedisCluster.js';
import type { RedisServer } from './RedisServer.js';
import { type RedisProvider, resolveRedisProvider } from './redisProvider.js';
import { runRedisCli } from './runRedisCli.js';
import { startContainerCluster } from './startContainerCluster.js';
import type { TlsOptions } from './TlsOptions.js';
import { waitFor } from './waitFor.js';
import { createWorkDir, removeWorkDir } from './workDir.js';

/** Options of {@link startCluster}. */
export interface StartClusterOptions {
  /** Password of every node (`requirepass` + `masterauth`). */
  readonly password?: string;
  /** TLS on the client port, for replication and on the cluster bus. */
  readonly tls?: TlsOptions;
  /**
   * `cluster-require-full-coverage`. Default false: when a primary dies only its own slots stop
   * answering (~10 ms stall elsewhere instead of ~1 s), which is what most tests want.
   */
  readonly requireFullCoverage?: boolean;
  /** Bound for each node start and for the cluster to reach `cluster_state:ok`. Default 20 s. */
  readonly startTimeoutMs?: number;
  /**
   * `process` (default) or `container` (every node in a container; no TLS). When absent,
   * `REDIS_TEST_PROVIDER` decides.
   */
  readonly provider?: RedisProvider;
}

export const nodeCount = 6;

/**
 * Starts six cluster-enabled nodes, joins them with `redis-cli --cluster create --cluster-replicas 1`
 * (three primaries, three replicas) and resolves once every node reports `cluster_state:ok`
 * (~2.2 s, most of it a delay inside Redis). Each node's cluster bus port comes from the same leased
 * block (`--cluster-port`) rather than port+10000, which could belong to someone else.
 */
export async function startCluster(options: StartClusterOptions = {}): Promise<RedisCluster> {
  if (resolveRedisProvider(options.provider) === 'container') {
    return startContainerCluster(options);
  }
  findRedisBinaries();
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  const root = await createWorkDir('cluster');
  const nodes: RedisServer[] = [];
  let ports: number[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(nodes.map((node) => node.stop()));
    await removeWorkDir(root);
    releasePorts(ports);
  };

  try {
    let certificates: TestCertificates | undefined;
    [ports, certificates] = await Promise.all([
      allocatePorts(nodeCount * 2),
      options.tls === undefined
        ? undefined
        : (options.tls.certificates ?? createTestCertificates(join(root, 'tls'))),
    ]);
    const tls =
      certificates === undefined
        ? undefined
        : { certificates, authClients: options.tls?.authClients ?? false };
    const clientPorts = ports.slice(0, nodeCount);
    await Promise.all(
      clientPorts.map(async (port, index) => {
        const busPort = ports[nodeCount + index]!;
        const dir = join(root, `node-${port}`);
        await mkdir(dir);
        const node = await launchRedisServer({
          name: 'cluster node',
          port,
          dir,
          password: options.password,
          tls,
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(dir, `nodes-${port}.conf`),
            '--cluster-node-timeout',
            '1000',
            '--cluster-port',
            String(busPort),
            '--cluster-require-full-coverage',
            options.requireFullCoverage ? 'yes' : 'no',
            ...(tls === undefined ? [] : ['--tls-cluster', 'yes']),
          ],
          ports: [port, busPort],
          ownedDirs: [dir],
          startTimeoutMs,
        });
        nodes.push(node);
      }),
    );
    nodes.sort((a, b) => a.port - b.port);

    return await joinCluster(nodes, options, certificates, stop, startTimeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Joins six started nodes with `redis-cli --cluster create … --cluster-replicas 1` and waits for
 * `cluster_state:ok` on every node; resolves with the cluster's handle.
 */
export async function joinCluster(
  nodes: readonly RedisServer[],
  options: StartClusterOptions,
  certificates: TestCertificates | undefined,
  stop: () => Promise<void>,
  startTimeoutMs: number,
): Promise<RedisCluster> {
  const first = nodes[0]!;
  const output = await runRedisCli(
    { host: first.host, port: first.port, password: options.password, tls: certificates },
    [
      '--cluster',
      'create',
      ...nodes.map((node) => `${node.host}:${node.port}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ],
    startTimeoutMs,
  );
  if (!output.includes('All 16384 slots covered')) {
    throw new HarnessError(
      HarnessErrorCode.StartFailed,
      `redis-cli --cluster create did not cover every slot:\n${output}`,
    );
  }
  const cluster = createHandle(nodes, options, certificates, stop);
  await cluster.waitForClusterOk(startTimeoutMs);
  return cluster;
}

function createHandle(
  nodes: readonly RedisServer[],
  options: StartClusterOptions,
  certificates: TestCertificates | undefined,
  stop: () => Promise<void>,
): RedisCluster {
  const nodeAt = (port: number): RedisServer => {
    const node = nodes.find((candidate) => candidate.port === port);
    if (node === undefined) {
      throw new HarnessError(HarnessErrorCode.InvalidOptions, `No cluster node on port ${port}`);
    }
    return node;
  };
  const running = () => nodes.filter((node) => node.running);
  return {
    nodes,
    startupNodes: nodes.map(({ host, port }) => ({ host, port })),
    password: options.password,
    tls: certificates,
    keySlot,
    async primaryForSlot(slot) {
      let lastError: unknown;
      for (const node of running()) {
        try {
          const port = await slotOwnerPort(targetOf(node), slot);
          if (port !== undefined) return nodeAt(port);
        } catch (error) {
          // A paused or dying node: ask the next one.
          lastError = error;
        }
      }
      throw new HarnessError(HarnessErrorCode.CommandFailed, `No node knows who serves ${slot}`, {
        cause: lastError,
      });
    },
    async killNode(port) {
      const node = nodeAt(port);
      await node.kill();
      return node;
    },
    migrateSlot: (slot, fromPort, toPort, migrateOptions) =>
      migrateSlot(
        slot,
        { source: nodeAt(fromPort), destination: nodeAt(toPort), all: nodes },
        migrateOptions,
      ),
    async waitForClusterOk(timeoutMs = 20_000) {
      await waitFor(
        'cluster_state:ok on every node',
        async () => {
          for (const node of running()) {
            const info = parseInfo(await sendForText(targetOf(node), ['CLUSTER', 'INFO']));
            if (info.get('cluster_state') !== 'ok') return undefined;
            if (info.get('cluster_known_nodes') !== String(nodes.length)) return undefined;
          }
          return true;
        },
        { timeoutMs, intervalMs: 50 },
      );
    },
    stop,
  };
}
