import { containerServerCommand } from './ContainerSpec.js';
import { startContainerTopology } from './containerTopology.js';
import type { RedisCluster } from './RedisCluster.js';
import { redisOptionArgs } from './redisOptionArgs.js';
import { joinCluster, nodeCount, type StartClusterOptions } from './startCluster.js';

/**
 * The cluster of `startCluster`, every node in a container of its own: each listens inside its
 * container on its published client port and on a bus port from the same leased block, announces
 * `127.0.0.1` (`cluster-announce-ip`), and the loopback mesh (see `linkLoopbackMesh`) makes both
 * ports of every node reach it from inside the others. `CLUSTER SLOTS` and redirections name the
 * published ports the test's clients use.
 */
export async function startContainerCluster(
  options: Omit<StartClusterOptions, 'provider'> = {},
): Promise<RedisCluster> {
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const topology = await startContainerTopology('Clusters', options.tls, startTimeoutMs);
  try {
    const ports = await topology.leasePorts(nodeCount * 2);
    await Promise.all(
      ports.slice(0, nodeCount).map((port, index) => {
        const busPort = ports[nodeCount + index]!;
        return topology.launch({
          role: 'cluster-node',
          port,
          extraPorts: [busPort],
          password: options.password,
          command: containerServerCommand([
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            '/data/nodes.conf',
            '--cluster-node-timeout',
            '1000',
            '--cluster-port',
            String(busPort),
            '--cluster-announce-ip',
            '127.0.0.1',
            '--cluster-require-full-coverage',
            options.requireFullCoverage ? 'yes' : 'no',
            ...redisOptionArgs({ port, password: options.password }),
          ]),
        });
      }),
    );
    const nodes = [...topology.members].sort((a, b) => a.port - b.port);
    await topology.relink();
    return await joinCluster(nodes, options, undefined, topology.stop, startTimeoutMs);
  } catch (error) {
    await topology.stop();
    throw error;
  }
}
