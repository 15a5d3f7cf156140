import { containerServerCommand } from './ContainerSpec.js';
import { startContainerTopology } from './containerTopology.js';
import { createSentinelGroupHandle } from './createSentinelGroupHandle.js';
import type { ConnectionTarget } from './HarnessConnection.js';
import { redisOptionArgs } from './redisOptionArgs.js';
import type { ContainerSentinelGroup } from './SentinelGroup.js';
import { sentinelConfig } from './sentinelConfig.js';
import {
  quorum,
  replicaCount,
  type StartSentinelGroupOptions,
  sentinelCount,
  waitForSync,
} from './startSentinelGroup.js';

/**
 * The Sentinel group of `startSentinelGroup`, every node and sentinel in a container of its own.
 * Each listens inside its container on the port it is published on, and every member announces
 * `127.0.0.1` (`replica-announce-ip`, `sentinel announce-ip`): a loopback mesh (see
 * `linkLoopbackMesh`) makes those addresses reach the right container from inside the others,
 * so the addresses the sentinels hand out are the published ports the test's clients use. That is
 * what lets a partition cut the primary off from its replicas and sentinels while the clients
 * still reach it.
 */
export async function startContainerSentinelGroup(
  options: Omit<StartSentinelGroupOptions, 'provider'> = {},
): Promise<ContainerSentinelGroup> {
  const name = options.name ?? 'mymaster';
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const topology = await startContainerTopology('Sentinel groups', options.tls, startTimeoutMs);
  try {
    const [primaryPort, ...rest] = (await topology.leasePorts(
      1 + replicaCount + sentinelCount,
    )) as [number, ...number[]];
    const replicaPorts = rest.slice(0, replicaCount);
    const sentinelPorts = rest.slice(replicaCount);
    const nodes = await Promise.all(
      [primaryPort, ...replicaPorts].map((port) =>
        topology.launch({
          role: 'node',
          port,
          password: options.password,
          command: containerServerCommand([
            '--replica-announce-ip',
            '127.0.0.1',
            ...redisOptionArgs({ port, password: options.password }),
          ]),
        }),
      ),
    );
    await topology.relink();
    const replicas = nodes.slice(1);
    await Promise.all(
      replicas.map((replica) => replica.redisCli('REPLICAOF', '127.0.0.1', String(primaryPort))),
    );
    await Promise.all(replicas.map((replica) => waitForSync(replica, startTimeoutMs)));

    // Replicas first, so that the sentinels' first INFO of the primary already lists them.
    await Promise.all(
      sentinelPorts.map((port) =>
        topology.launch({
          role: 'sentinel',
          port,
          password: options.sentinelPassword,
          // The full path skips the image entrypoint's `--protected-mode no`: the config file must
          // come first.
          command: ['/usr/local/bin/redis-server', '/data/sentinel.conf', '--sentinel'],
          files: [
            {
              content: sentinelConfig({
                port,
                dir: '/data',
                bind: '0.0.0.0',
                announceIp: '127.0.0.1',
                masterName: name,
                primaryPort,
                quorum,
                password: options.password,
                sentinelPassword: options.sentinelPassword,
              }),
              target: '/data/sentinel.conf',
              // Sentinels rewrite their config; the official image runs them as user redis.
              mode: 0o666,
            },
          ],
          readyLog: /\+monitor master/,
        }),
      ),
    );
    await topology.relink();
    const sentinelTargets: ConnectionTarget[] = sentinelPorts.map((port) => ({
      host: '127.0.0.1',
      port,
      password: options.sentinelPassword,
    }));
    // The handle hands back the nodes it was given: containers here.
    return createSentinelGroupHandle({
      name,
      nodes,
      sentinelTargets,
      password: options.password,
      sentinelPassword: options.sentinelPassword,
      certificates: undefined,
      stop: topology.stop,
    }) as ContainerSentinelGroup;
  } catch (error) {
    await topology.stop();
    throw error;
  }
}
