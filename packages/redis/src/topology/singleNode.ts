import type { Redis } from 'ioredis';
import type { RedisTopology } from './RedisTopology.js';

/**
 * The parts shared by topologies where every key lives on one server at a time (standalone, and
 * the primary behind Sentinel): one client is one connection to that server.
 */
export function singleNode(
  createClient: () => Redis,
): Pick<
  RedisTopology,
  'createClient' | 'transactionTarget' | 'redirectTarget' | 'nodeUnresponsive' | 'probe'
> {
  const primary = { node: 'primary', create: createClient };
  return {
    createClient,
    transactionTarget: () => primary,
    redirectTarget: () => primary,
    // The client reconnects by itself (and asks the sentinels again).
    nodeUnresponsive: () => {},
    probe: (main) => main.ping(),
  };
}
