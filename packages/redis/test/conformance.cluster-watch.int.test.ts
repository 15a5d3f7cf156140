import { startCluster } from '@stowage/testing';
import type { Cluster } from 'ioredis';
import { clusterPrefix } from '../src/topology/keySlot.js';
import { aclRules, WATCH_COMMANDS, withoutListKinds } from './support/minimalAcl.js';
import { registerRedisConformance } from './support/registerRedisConformance.js';
import { clearClusterPrefix, clusterAdmin, clusterAsServer } from './support/topologyServers.js';

// The WATCH fallback on a cluster: an ACL user denied scripting, created on every node. Each
// transaction borrows a dedicated connection to the primary of the store's slot (ioredis's
// Cluster shares one connection per node, where one WATCH would guard another's transaction).
// The key pattern `{watch-*` matches the effective prefixes `{watch-<run>-<n>}`; ioredis's
// Cluster also needs CLUSTER SLOTS (+cluster|slots) to map the slots.
let nodes: Array<{ host: string; port: number }> = [];

registerRedisConformance({
  name: 'redis (cluster, WATCH fallback, scripting denied)',
  prefixBase: 'watch',
  supportsUpsertHook: true,
  // The rule has no SCAN: the suite sees the store without the optional listKinds.
  decorate: withoutListKinds,
  start: async () => {
    const cluster = await startCluster({ password: 'cluster-secret' });
    nodes = cluster.startupNodes.map(({ host, port }) => ({ host, port }));
    const rules = [...aclRules('{watch-*', WATCH_COMMANDS), '+cluster|slots', '-@scripting'];
    await Promise.all(
      cluster.nodes.map((node) =>
        node.redisCli('ACL', 'SETUSER', 'noscripts', 'on', '>noscripts-secret', ...rules),
      ),
    );
    return clusterAsServer(cluster);
  },
  storeOptions: () => ({
    mode: 'cluster',
    nodes,
    username: 'noscripts',
    password: 'noscripts-secret',
  }),
  unreachableOptions: (port) => ({ mode: 'cluster', nodes: [{ host: '127.0.0.1', port }] }),
  effectivePrefix: clusterPrefix,
  createAdmin: () => clusterAdmin(nodes, 'cluster-secret'),
  clearPrefix: (admin, prefix) => clearClusterPrefix(admin as Cluster, clusterPrefix(prefix)),
});
