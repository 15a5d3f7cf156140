import { Cluster, Redis } from 'ioredis';
import { ownedClientPolicy } from '../connection/clientPolicy.js';
import { slotRedirection } from '../errors/toStowageError.js';
import type { RedisSettings } from '../options/resolveRedisSettings.js';
import { clusterPrefix, keySlot } from './keySlot.js';
import type { RedisClient, RedisTopology } from './RedisTopology.js';

/** Pause before ioredis retries a command the cluster answered TRYAGAIN/CLUSTERDOWN/MOVED to. */
const RETRY_DELAY_MS = 100;

/** The address (`host:port`, after natMap) of the primary serving the slot of `key`, if known. */
function primaryOf(main: RedisClient, key: string): string {
  const address = (main as Cluster).slots[keySlot(key)]?.[0];
  if (address === undefined) {
    // Classified as a connection failure: the cluster's slot map is not known (yet).
    throw Object.assign(new Error(`no primary known for slot ${keySlot(key)}; not connected`), {
      code: 'ECONNREFUSED',
    });
  }
  return address;
}

function splitAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
}

/**
 * Redis Cluster. Every key of a store is in one slot, so that `init` and `upsert` stay single
 * transactions on one node: the effective prefix is `{P}` unless `P` has a hash tag already. One
 * store therefore lives on one shard; many stores spread over the shards.
 *
 * ioredis's `Cluster` follows MOVED and ASK, and retries TRYAGAIN and CLUSTERDOWN, within the
 * driver's timeouts. Every node connection runs with the same bounded-failure policy as a single
 * server (no resend of unanswered commands, command timeout, reconnect with a short backoff).
 */
export function clusterTopology(settings: RedisSettings): RedisTopology {
  const { endpoint, cluster } = settings;
  if (endpoint === undefined || cluster === undefined) {
    throw new Error('cluster topology without nodes');
  }
  const { lazyConnect, enableOfflineQueue, enableReadyCheck, retryStrategy, ...nodePolicy } =
    ownedClientPolicy(settings);
  const { username, password, tls } = endpoint;
  const credentials = {
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    ...(tls === undefined ? {} : { tls }),
  };
  const natMap =
    cluster.natMap === undefined
      ? {}
      : {
          natMap: Object.fromEntries(
            Object.entries(cluster.natMap).map(([from, { host, port }]) => [from, { host, port }]),
          ),
        };
  return {
    mode: 'cluster',
    effectivePrefix: clusterPrefix(settings.prefix),
    createClient: () =>
      new Cluster(
        cluster.nodes.map(({ host, port }) => ({ host, port })),
        {
          lazyConnect,
          enableOfflineQueue,
          enableReadyCheck,
          clusterRetryStrategy: retryStrategy,
          retryDelayOnMoved: 0,
          retryDelayOnFailover: RETRY_DELAY_MS,
          retryDelayOnClusterDown: RETRY_DELAY_MS,
          retryDelayOnTryAgain: RETRY_DELAY_MS,
          slotsRefreshTimeout: settings.connectTimeoutMs,
          ...natMap,
          redisOptions: { ...nodePolicy, enableReadyCheck, ...credentials },
        },
      ),
    transactionTarget(main, key) {
      const node = primaryOf(main, key);
      return {
        node,
        create: () =>
          new Redis({
            ...ownedClientPolicy(settings),
            ...splitAddress(node),
            ...credentials,
            // MOVED here means the cluster client's slot map is out of date (a reshard or failover
            // it has not met itself, as when the store only writes): refresh it, so that the
            // retry of the transaction goes to the new owner. Never a reconnect of this one.
            reconnectOnError: (error) => {
              if (slotRedirection(error) === 'moved') (main as Cluster).refreshSlotsCache();
              return false;
            },
          }),
      };
    },
    waitClient(main, key) {
      const node = primaryOf(main, key);
      const client = (main as Cluster)
        .nodes('master')
        .find(({ options }) => `${options.host}:${options.port}` === node);
      if (client === undefined) {
        throw Object.assign(new Error(`no connection to the primary of ${node}; not connected`), {
          code: 'ECONNREFUSED',
        });
      }
      return client;
    },
    probe: (main, key) => main.exists(key),
  };
}
