import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { linkLoopbackMesh } from './containerMesh.js';
import { createSentinelGroupHandle } from './createSentinelGroupHandle.js';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';
import {
  containerServerCommand,
  type LaunchedContainer,
  launchRedisContainer,
} from './launchRedisContainer.js';
import { allocatePorts, releasePorts } from './portPool.js';
import { redisOptionArgs } from './RedisServer.js';
import type { RespTarget } from './RespConnection.js';
import type { ContainerSentinelGroup } from './SentinelGroup.js';
import { sentinelConfig } from './sentinelConfig.js';
import { prepareContainers } from './startRedisContainer.js';
import {
  quorum,
  replicaCount,
  type StartSentinelGroupOptions,
  sentinelCount,
  waitForSync,
} from './startSentinelGroup.js';
import { createWorkDir, removeWorkDir } from './workDir.js';

/**
 * The Sentinel group of `startSentinelGroup`, every node and sentinel in a container of its own.
 * Each listens inside its container on the port it is published on, and every member announces
 * `127.0.0.1` (`replica-announce-ip`, `sentinel announce-ip`): a loopback mesh (see
 * {@link linkLoopbackMesh}) makes those addresses reach the right container from inside the others,
 * so the addresses the sentinels hand out are the published ports the test's clients use. That is
 * what lets a partition cut the primary off from its replicas and sentinels while the clients
 * still reach it.
 */
export async function startContainerSentinelGroup(
  options: Omit<StartSentinelGroupOptions, 'provider'> = {},
): Promise<ContainerSentinelGroup> {
  if (options.tls !== undefined) {
    throw new HarnessError(
      HarnessErrorCode.InvalidOptions,
      'Sentinel groups in containers have no TLS; use the process provider for TLS',
    );
  }
  const { engine, image } = await prepareContainers(undefined);
  const name = options.name ?? 'mymaster';
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const root = await createWorkDir('sentinel-container');
  const members: LaunchedContainer[] = [];
  let ports: number[] = [];
  let stopped = false;
  const relink = () => linkLoopbackMesh(members);
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(members.map((member) => member.stop()));
    await removeWorkDir(root);
    releasePorts(ports);
  };

  const launch = async (role: string, port: number, command: string[], files = [] as File[]) => {
    const dir = join(root, `${role}-${port}`);
    await mkdir(dir);
    let launched = false;
    const member = await launchRedisContainer({
      engine,
      image,
      name: `${role} container 127.0.0.1:${port}`,
      port,
      containerPort: port,
      command,
      files,
      dir,
      password: role === 'sentinel' ? options.sentinelPassword : options.password,
      users: undefined,
      certificates: undefined,
      memoryLimitMb: undefined,
      startTimeoutMs,
      // Ports and the folder belong to the group.
      release: async () => {},
      // The group links members as they come; a restarted one has a new network namespace (and
      // maybe a new address), so the mesh is linked again.
      afterStart: async () => {
        if (launched) await relink();
      },
      readyLog: role === 'sentinel' ? /\+monitor master/ : undefined,
    });
    launched = true;
    members.push(member);
    return member;
  };

  try {
    ports = await allocatePorts(1 + replicaCount + sentinelCount);
    const [primaryPort, ...rest] = ports as [number, ...number[]];
    const replicaPorts = rest.slice(0, replicaCount);
    const sentinelPorts = rest.slice(replicaCount);
    const nodeCommand = (port: number) =>
      containerServerCommand([
        '--replica-announce-ip',
        '127.0.0.1',
        ...redisOptionArgs({ port, password: options.password }),
      ]);
    const nodes = await Promise.all(
      [primaryPort, ...replicaPorts].map((port) => launch('node', port, nodeCommand(port))),
    );
    await relink();
    const replicas = nodes.slice(1);
    await Promise.all(
      replicas.map((replica) => replica.redisCli('REPLICAOF', '127.0.0.1', String(primaryPort))),
    );
    await Promise.all(replicas.map((replica) => waitForSync(replica, startTimeoutMs)));

    // Replicas first, so that the sentinels' first INFO of the primary already lists them.
    await Promise.all(
      sentinelPorts.map((port) =>
        launch(
          'sentinel',
          port,
          // The full path skips the image entrypoint's `--protected-mode no`: the config file must
          // come first.
          ['/usr/local/bin/redis-server', '/data/sentinel.conf', '--sentinel'],
          [
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
        ),
      ),
    );
    await relink();
    const sentinelTargets: RespTarget[] = sentinelPorts.map((port) => ({
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
      stop,
    }) as ContainerSentinelGroup;
  } catch (error) {
    await stop();
    throw error;
  }
}

interface File {
  readonly content: string;
  readonly target: string;
  readonly mode: number;
}
