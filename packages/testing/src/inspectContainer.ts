import { runDocker } from './docker.js';
import type { RedisContainerState } from './RedisContainer.js';

/** Where a container sits on its engine's network. */
export interface ContainerNetwork {
  /** Its address on the network (not reachable for clients: they use the published port). */
  readonly ip: string;
  /** The network's gateway: the engine's host, where docker-proxy carries published ports from. */
  readonly gateway: string;
  readonly prefixLength: number;
}

/** What `docker inspect` says about a container, as the harness uses it. */
export interface ContainerInspection {
  /** Its main process as the engine's host sees it; 0 when it does not run. */
  readonly pid: number;
  readonly state: RedisContainerState;
  readonly network: ContainerNetwork;
}

/** Asks the engine at `dockerHost` about container `id` (one `docker inspect`). */
export async function inspectContainer(
  dockerHost: string,
  id: string,
): Promise<ContainerInspection> {
  const [pid, running, oomKilled, exitCode, ip, gateway, prefixLength] = (
    await runDocker(dockerHost, [
      'inspect',
      '--format',
      '{{.State.Pid}} {{.State.Running}} {{.State.OOMKilled}} {{.State.ExitCode}} ' +
        '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}} {{.NetworkSettings.IPPrefixLen}}',
      id,
    ])
  ).split(' ');
  return {
    pid: Number(pid),
    state: {
      running: running === 'true',
      oomKilled: oomKilled === 'true',
      exitCode: Number(exitCode),
    },
    network: { ip: ip ?? '', gateway: gateway ?? '', prefixLength: Number(prefixLength) },
  };
}
