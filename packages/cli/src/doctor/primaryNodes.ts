import type { Cluster, Redis } from 'ioredis';

/** A connection to the deployment: one server (standalone, or Sentinel's primary), or a cluster. */
export type RedisClient = Redis | Cluster;

/**
 * The connections to a deployment's primaries: the one server, or each primary of a cluster.
 * Server-wide checks (INFO, CONFIG GET, WATCH, SCAN) run on these, since a cluster client would
 * send them to one node picked at random.
 */
export function primaryNodes(client: RedisClient): Redis[] {
  return client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
}
