import type { RedisDriverOptions } from '@stowage/redis';
import { startCluster, startRedisServer, startSentinelGroup } from '@stowage/testing';
import { Cluster, Redis } from 'ioredis';

// The deployments the benchmark runs against. A mode only says how to start the servers, how raw
// ioredis reaches them, and the driver options; the benchmark body is the same for every mode.

export type ModeName = 'standalone' | 'sentinel' | 'cluster';

/** Running servers, ready to be measured. */
export interface Deployment {
  /** Pids of every server process (data nodes and sentinels), to pin to one CPU. */
  readonly serverPids: ReadonlyArray<number>;
  /** Options of `createRedisDriver`, without the prefix. */
  readonly storeOptions: Omit<RedisDriverOptions, 'prefix'>;
  /** A raw ioredis client reaching the data the way an application would. */
  createRaw(): Redis | Cluster;
  /** How the raw baseline names keys: the prefix itself, or `{prefix}` in a cluster. */
  rawPrefix(prefix: string): string;
  /** Connection options for LaunchDarkly's store, or undefined where it is not measured. */
  readonly launchDarklyRedisOptions: LaunchDarklyRedisOptions | undefined;
  stop(): Promise<void>;
}

/** Where LaunchDarkly's store connects (its own ioredis takes these as they are). */
export type LaunchDarklyRedisOptions =
  | { readonly host: string; readonly port: number }
  | { readonly sentinels: ReadonlyArray<{ host: string; port: number }>; readonly name: string };

export interface BenchMode {
  readonly name: ModeName;
  /** One line on what runs, for the table heading. */
  readonly description: string;
  start(): Promise<Deployment>;
}

/** The pid a Redis process (a sentinel too) reports in `INFO server`. */
async function processId(endpoint: { host: string; port: number }): Promise<number> {
  const client = new Redis({ ...endpoint, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    const info = await client.info('server');
    const match = /^process_id:(\d+)/m.exec(info);
    if (match === null) throw new Error(`no process_id in INFO of port ${endpoint.port}`);
    return Number(match[1]);
  } finally {
    client.disconnect();
  }
}

const standalone: BenchMode = {
  name: 'standalone',
  description: 'one redis-server',
  async start() {
    const server = await startRedisServer();
    return {
      serverPids: [server.pid],
      storeOptions: { url: server.url },
      createRaw: () => new Redis({ host: server.host, port: server.port }),
      rawPrefix: (prefix) => prefix,
      launchDarklyRedisOptions: { host: server.host, port: server.port },
      stop: () => server.stop(),
    };
  },
};

const sentinel: BenchMode = {
  name: 'sentinel',
  description: 'a primary, two replicas and three sentinels; commands go to the primary',
  async start() {
    const group = await startSentinelGroup();
    try {
      const sentinelPids = await Promise.all(group.sentinels.map(processId));
      const sentinels = group.sentinels.map(({ host, port }) => ({ host, port }));
      return {
        serverPids: [...group.nodes.map((node) => node.pid), ...sentinelPids],
        storeOptions: { mode: 'sentinel', sentinels, name: group.name },
        createRaw: () => new Redis({ sentinels, name: group.name }),
        rawPrefix: (prefix) => prefix,
        launchDarklyRedisOptions: { sentinels, name: group.name },
        stop: () => group.stop(),
      };
    } catch (error) {
      await group.stop();
      throw error;
    }
  },
};

const cluster: BenchMode = {
  name: 'cluster',
  description: 'three primaries and three replicas; every key of a store in one slot',
  async start() {
    const nodes = await startCluster();
    const startupNodes = nodes.startupNodes.map(({ host, port }) => ({ host, port }));
    return {
      serverPids: nodes.nodes.map((node) => node.pid),
      storeOptions: { mode: 'cluster', nodes: startupNodes },
      createRaw: () => new Cluster(startupNodes),
      // The same hash tag the driver uses, so that a kind and its marker share a slot.
      rawPrefix: (prefix) => `{${prefix}}`,
      // LaunchDarkly's store takes options of one Redis connection, not a cluster.
      launchDarklyRedisOptions: undefined,
      stop: () => nodes.stop(),
    };
  },
};

const MODES: Readonly<Record<ModeName, BenchMode>> = { standalone, sentinel, cluster };

/** One mode by name. */
export const modeNamed = (name: ModeName): BenchMode => MODES[name];

/** The modes named in BENCH_MODES (comma-separated), default all three, in that order. */
export function selectedModes(): BenchMode[] {
  const names = (process.env.BENCH_MODES ?? 'standalone,sentinel,cluster')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!(name in MODES)) {
      throw new Error(`BENCH_MODES: unknown mode '${name}' (standalone, sentinel, cluster)`);
    }
  }
  return names.map((name) => MODES[name as ModeName]);
}

/** Pins this process to CPU 0 and every server of `deployment` to CPU 1; false if it could not. */
export function pinned(deployment: Deployment, pin: (pid: number, cpu: number) => boolean) {
  return deployment.serverPids.reduce((ok, pid) => pin(pid, 1) && ok, pin(process.pid, 0));
}

/** Loads `script` on every primary the raw client can reach, for EVALSHA; its SHA-1. */
export async function loadScript(raw: Redis | Cluster, script: string): Promise<string> {
  if (raw.status !== 'ready') await new Promise((resolve) => raw.once('ready', resolve));
  const targets = raw instanceof Cluster ? raw.nodes('master') : [raw];
  const [sha] = await Promise.all(
    targets.map((node) => node.script('LOAD', script) as Promise<string>),
  );
  return sha as string;
}
