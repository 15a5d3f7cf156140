import { Cluster, Redis } from 'ioredis';
import { cutOff, ownedClientPolicy } from '../connection/clientPolicy.js';
import { slotRedirection } from '../errors/toStowageError.js';
import { clusterSubscription } from '../feed/clusterSubscription.js';
import type { RedisSettings } from '../options/resolveRedisSettings.js';
import { clusterPrefix, keySlot } from './keySlot.js';
import type { RedisClient, RedisTopology, TransactionTarget } from './RedisTopology.js';

/** Pause before ioredis retries a command the cluster answered TRYAGAIN/CLUSTERDOWN/MOVED to. */
const RETRY_DELAY_MS = 100;
/**
 * While a node does not answer, the slot map is refreshed every this long (a bound, not a storm),
 * until this long after the last failure: the cluster promotes a replica of a hung primary a
 * second or two after the first commands time out, and only a refresh after that finds it.
 */
const UNRESPONSIVE_REFRESH_MS = 250;
const UNRESPONSIVE_WATCH_MS = 3000;
/**
 * Longest wait for one node's CLUSTER SLOTS during a refresh, after which the next node is asked
 * (ioredis's default): a hung node must not hold up the refresh that would leave it.
 */
const SLOTS_REFRESH_TIMEOUT_MS = 1000;

/** The address (`host:port`, after natMap) of the primary serving the slot of `key`, if known. */
function primaryOf(main: RedisClient, key: string): string {
  const address = knownPrimaryOf(main, key);
  if (address === undefined) {
    // Classified as a connection failure: the cluster's slot map is not known (yet).
    throw Object.assign(new Error(`no primary known for slot ${keySlot(key)}; not connected`), {
      code: 'ECONNREFUSED',
    });
  }
  return address;
}

function knownPrimaryOf(main: RedisClient, key: string): string | undefined {
  return (main as Cluster).slots[keySlot(key)]?.[0];
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
  const createCluster = (extra: { readonly shardedSubscribers?: boolean } = {}) =>
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
        slotsRefreshTimeout: Math.min(settings.connectTimeoutMs, SLOTS_REFRESH_TIMEOUT_MS),
        ...natMap,
        redisOptions: { ...nodePolicy, enableReadyCheck, ...credentials },
        ...extra,
      },
    );
  let watchUntil = 0;
  let refresher: NodeJS.Timeout | undefined;
  /** Nodes that served the store's slot when they stopped answering. */
  const suspects = new Map<string, Redis | undefined>();
  return {
    mode: 'cluster',
    effectivePrefix: clusterPrefix(settings.prefix),
    createClient: () => createCluster(),
    subscribe: (channel, events) =>
      // Sharded subscribers are off by default: without them SSUBSCRIBE goes to one connection
      // that never follows the slot.
      clusterSubscription(createCluster({ shardedSubscribers: true }), channel, events),
    transactionTarget: (main, key) => nodeTarget(main, primaryOf(main, key)),
    redirectTarget: (main, address) => nodeTarget(main, translate(address)),
    nodeUnresponsive(main, key, left) {
      // A command that hangs never makes ioredis refresh the map by itself: a frozen primary
      // would keep the store for as long as it is frozen, after its replica took over.
      watchUntil = performance.now() + UNRESPONSIVE_WATCH_MS;
      const cluster = main as Cluster;
      const suspect = knownPrimaryOf(main, key);
      // Its connection, taken now: a refresh that no longer lists the node drops it from the
      // client with a half-close, which leaves the commands waiting there for as long as it hangs.
      if (suspect !== undefined && !suspects.has(suspect)) {
        suspects.set(
          suspect,
          cluster.nodes('all').find(({ options }) => `${options.host}:${options.port}` === suspect),
        );
      }
      if (refresher !== undefined) return;
      const refresh = () =>
        cluster.refreshSlotsCache((error) => {
          const owner =
            error === undefined || error === null ? knownPrimaryOf(main, key) : undefined;
          if (owner === undefined) return;
          for (const [node, client] of suspects) {
            if (node === owner) continue;
            suspects.delete(node);
            // Commands still waiting there fail as unanswered.
            if (client !== undefined) cutOff(client);
            left(node);
          }
        });
      refresh();
      refresher = setInterval(() => {
        if (performance.now() > watchUntil || cluster.status === 'end') {
          clearInterval(refresher);
          refresher = undefined;
          suspects.clear();
          return;
        }
        refresh();
      }, UNRESPONSIVE_REFRESH_MS);
      refresher.unref();
    },
    probe: (main, key) => main.exists(key),
  };
}
