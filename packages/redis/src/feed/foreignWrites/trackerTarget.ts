import type { Cluster, Redis } from 'ioredis';
import { Redis as RedisClass } from 'ioredis';
import { keySlot } from '../../topology/keySlot.js';
import type { RedisClient } from '../../topology/RedisTopology.js';
import type { ForeignWriteTrackerOptions } from './ForeignWriteTracker.js';

/** Where a tracker finds the store: the `nodeFor` and `connect` of its options. */
export type TrackerTarget = Pick<ForeignWriteTrackerOptions, 'nodeFor' | 'connect'>;

/** Outside a cluster the connection finds the server (or, through the sentinels, the primary). */
const THE_SERVER = 'server';

/**
 * The tracker's target for the store's client `main`, in every mode:
 * - one server, a Sentinel-managed primary, or a client handed in by the application: the
 *   tracker's connections are duplicates of `main` (same server, credentials, TLS and sentinels),
 *   and `main` itself is left alone;
 * - a cluster: the primary serving the slot of `effectivePrefix`'s keys, from `main`'s slot map,
 *   which is refreshed whenever the tracker lost its node or was told the slot moved; the
 *   connections take `main`'s node options. A cluster client that never connected is connected
 *   (it is lazy), since its slot map is the only source of the node.
 */
export function trackerTarget(main: RedisClient, effectivePrefix: string): TrackerTarget {
  if (!(main as Cluster).isCluster) {
    const server = main as Redis;
    return {
      nodeFor: () => THE_SERVER,
      connect: (_node, overrides) => server.duplicate(overrides),
    };
  }
  const cluster = main as Cluster;
  const slot = keySlot(`${effectivePrefix}:$inited`);
  const primary = () => cluster.slots[slot]?.[0];
  return {
    async nodeFor(previous) {
      if (cluster.status === 'wait') await cluster.connect();
      const known = primary();
      if (known === undefined || known === previous) await refreshSlots(cluster);
      const address = primary();
      if (address === undefined) throw new Error(`no primary known for slot ${slot}`);
      return address;
    },
    connect(node, overrides) {
      const colon = node.lastIndexOf(':');
      const address = { host: node.slice(0, colon), port: Number(node.slice(colon + 1)) };
      // replyMapping concerns RESP3 only; the tracker's connections speak RESP2.
      const { replyMapping: _, ...options } = {
        ...cluster.options.redisOptions,
        ...address,
        ...overrides,
      };
      return new RedisClass(options);
    },
  };
}

function refreshSlots(cluster: Cluster): Promise<void> {
  return new Promise((resolve, reject) => {
    cluster.refreshSlotsCache((error) => (error ? reject(error) : resolve()));
  });
}
