import type { RedisServer } from './RedisServer.js';

/**
 * What {@link RedisContainer.partition} cuts: `all` drops every packet entering the container;
 * `containers` only those from other containers (its replicas, sentinels), while this machine,
 * and so the test's clients through the published port, still reach it: a split brain.
 */
export type PartitionScope = 'all' | 'containers';

/** What the engine reports about a Redis container. */
export interface RedisContainerState {
  /** True while the container runs (also while paused). */
  readonly running: boolean;
  /** True when the kernel killed it for exceeding its memory limit (cgroup OOM kill). */
  readonly oomKilled: boolean;
  /** Exit status of the last run (137 after SIGKILL or an OOM kill); 0 while running. */
  readonly exitCode: number;
}

/**
 * A Redis server in a container, started by the container provider. Everything a
 * {@link RedisServer} offers works the same way (the port is published on `127.0.0.1` and pinned,
 * so it survives `kill()`/`restart()` and clients reconnect to the same address), plus faults only
 * a container engine can make.
 */
export interface RedisContainer extends RedisServer {
  /** The container's id. */
  readonly containerId: string;
  /** The image it runs, e.g. `stowage-redis:7.0.15`. */
  readonly image: string;
  /**
   * Pid of the container's Redis as this machine sees it (0 when the engine runs elsewhere, e.g.
   * in Docker Desktop's VM); changes on restart. `pause()`/`resume()` and `partition()` need it.
   */
  readonly pid: number;
  /**
   * Drops packets entering the container, inside its own network namespace
   * (`nsenter --net=/proc/PID/ns/net iptables -I INPUT -j DROP`; the host's rules are never
   * touched): from everywhere (`all`, the default) or only from other containers (see
   * {@link PartitionScope}). Connections stay open and nothing is refused: requests and replies
   * vanish, as in a real partition. Needs root, `nsenter` and `iptables` on this machine and a
   * local engine.
   */
  partition(scope?: PartitionScope): Promise<void>;
  /** Removes the rules added by {@link RedisContainer.partition}; held connections resume. */
  heal(): Promise<void>;
  /** The engine's view of the container (running, OOM-killed, exit status). */
  state(): Promise<RedisContainerState>;
}
