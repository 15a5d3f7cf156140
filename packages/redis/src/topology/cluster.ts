import { Cluster, Redis } from 'ioredis';
import { ownedClientPolicy } from '../connection/clientPolicy.js';
import { slotRedirection } from '../errors/toStowageError.js';
import type { RedisSettings } from '../options/resolveRedisSettings.js';
import { clusterPrefix, keySlot } from './keySlot.js';
import type { RedisClient, RedisTopology, TransactionTarget } from './RedisTopology.js';

/** Pause before ioredis retries a command the cluster answered TRYAGAIN/CLUSTERDOWN/MOVED to. */
const RETRY_DELAY_MS = 100;
/** At most one slot-map refresh per this long for unresponsive nodes: a bound, not a storm. */
const UNRESPONSIVE_REFRESH_MS = 1000;

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
  /** An announced `host:port` as the application reaches it (natMap). */
  const translate = (address: string) => {
    const mapped = cluster.natMap?.[address];
    return mapped === undefined ? address : `${mapped.host}:${mapped.port}`;
  };
  const nodeTarget = (main: RedisClient, node: string): TransactionTarget => ({
    node,
    create: () =>
      new Redis({
        ...ownedClientPolicy(settings),
        ...splitAddress(node),
        ...credentials,
        // MOVED here means the cluster client's slot map is out of date (a reshard or failover
        // it has not met itself, as when the store only writes): refresh it, so that the retry
        // goes to the new owner. Never a reconnect of this one.
        reconnectOnError: (error) => {
          if (slotRedirection(error) === 'moved') (main as Cluster).refreshSlotsCache();
          return false;
        },
      }),
  });
  let lastRefresh = Number.NEGATIVE_INFINITY;
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
    transactionTarget: (main, key) => nodeTarget(main, primaryOf(main, key)),
    redirectTarget: (main, address) => nodeTarget(main, translate(address)),
    nodeUnresponsive(main) {
      const now = performance.now();
      if (now - lastRefresh < UNRESPONSIVE_REFRESH_MS) return;
      lastRefresh = now;
      // A command that hangs never makes ioredis refresh the map by itself: a frozen primary
      // would keep the store for as long as it is frozen, after its replica took over.
      (main as Cluster).refreshSlotsCache();
    },
    probe: (main, key) => main.exists(key),
  };
}
