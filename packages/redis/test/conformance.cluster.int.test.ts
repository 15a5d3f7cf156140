import { startCluster } from '@stowage/testing';
import type { Cluster } from 'ioredis';
import { clusterPrefix } from '../src/topology/keySlot.js';
import { registerRedisConformance } from './support/registerRedisConformance.js';
import { clearClusterPrefix, clusterAdmin, clusterAsServer } from './support/topologyServers.js';

// The contract on a 3+3 cluster with a password: every store's keys share one slot (`{P}:K`).
let nodes: Array<{ host: string; port: number }> = [];

registerRedisConformance({
  name: 'redis (cluster)',
  start: async () => {
    const cluster = await startCluster({ password: 'cluster-secret' });
    nodes = cluster.startupNodes.map(({ host, port }) => ({ host, port }));
    return clusterAsServer(cluster);
  },
  storeOptions: () => ({ mode: 'cluster', nodes, password: 'cluster-secret' }),
  unreachableOptions: (port) => ({ mode: 'cluster', nodes: [{ host: '127.0.0.1', port }] }),
  effectivePrefix: clusterPrefix,
  createAdmin: () => clusterAdmin(nodes, 'cluster-secret'),
  clearPrefix: (admin, prefix) => clearClusterPrefix(admin as Cluster, clusterPrefix(prefix)),
});
