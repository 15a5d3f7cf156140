import type { Redis } from 'ioredis';
import type { RedisTopology } from './RedisTopology.js';

/**
 * The parts shared by topologies where every key lives on one server at a time (standalone, and
 * the primary behind Sentinel): one client is one connection to that server.
 */
export function singleNode(
  createClient: () => Redis,
): Pick<RedisTopology, 'createClient' | 'transactionTarget' | 'waitClient' | 'probe'> {
  return {
    createClient,
    transactionTarget: () => ({ node: 'primary', create: createClient }),
    waitClient: (main) => main as Redis,
    probe: (main) => main.ping(),
  };
}
