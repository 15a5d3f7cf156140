import type { RedisCluster, RedisServer, SentinelGroup } from '@stowage/testing';
import { Cluster } from 'ioredis';

/**
 * A Sentinel group seen as the one server the conformance wiring expects: raw writes and clean-up
 * go to the initial primary (no failover happens in those files); stopping it stops the group.
 */
export function groupAsServer(group: SentinelGroup): RedisServer {
  const primary = group.nodes[0];
  if (primary === undefined) throw new Error('sentinel group without nodes');
  return Object.assign(Object.create(primary) as RedisServer, { stop: () => group.stop() });
}

/** The same for a cluster: its first node, stopping it stops the cluster. */
export function clusterAsServer(cluster: RedisCluster): RedisServer {
  const first = cluster.nodes[0];
  if (first === undefined) throw new Error('cluster without nodes');
  return Object.assign(Object.create(first) as RedisServer, { stop: () => cluster.stop() });
}

/** A full-rights cluster client for what tests do behind the driver's back. */
export function clusterAdmin(
  startupNodes: ReadonlyArray<{ host: string; port: number }>,
  password?: string,
): Cluster {
  const client = new Cluster(
    startupNodes.map(({ host, port }) => ({ host, port })),
    password === undefined ? {} : { redisOptions: { password } },
  );
  client.on('error', () => {});
  return client;
}

const GLOB_SPECIALS = /[*?[\]\\]/g;

/** Deletes every key of a (cluster-effective) prefix on every primary. */
export async function clearClusterPrefix(admin: Cluster, effectivePrefix: string): Promise<void> {
  const pattern = `${effectivePrefix.replace(GLOB_SPECIALS, '\\$&')}:*`;
  await Promise.all(
    admin.nodes('master').map(async (node) => {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        // One key per DEL: a cluster refuses a DEL over several slots.
        for (const key of keys) await admin.del(key);
        cursor = next;
      } while (cursor !== '0');
    }),
  );
}
