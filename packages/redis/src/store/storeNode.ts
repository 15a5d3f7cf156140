import type { Cluster, Redis } from 'ioredis';
import { keySlot } from '../topology/keySlot.js';
import type { RedisClient } from '../topology/RedisTopology.js';

/**
 * The connection to the node that holds `key`: the client itself on one server; in a cluster the
 * client's connection to the primary serving the key's slot (every key of a store is in one slot),
 * for commands that are not routed by key, such as SCAN.
 */
export function storeNode(client: RedisClient, key: string): Redis {
  if (!(client as Cluster).isCluster) return client as Redis;
  const cluster = client as Cluster;
  const address = cluster.slots[keySlot(key)]?.[0];
  const node = cluster
    .nodes('master')
    .find(({ options }) => `${options.host}:${options.port}` === address);
  if (node === undefined) {
    // Classified as a connection failure: the slot has no known primary (yet).
    throw Object.assign(new Error(`no primary known for slot ${keySlot(key)}; not connected`), {
      code: 'ECONNREFUSED',
    });
  }
  return node;
}
