import type { ConnectionOptions } from 'node:tls';
import { type Cluster, Redis } from 'ioredis';
import { ownedClientPolicy } from '../connection/clientPolicy.js';
import { changeChannel, publishRule, subscribeRule } from '../feed/changeChannel.js';
import { resolveRedisSettings } from '../options/resolveRedisSettings.js';
import type { RedisDriverOptions, RedisMode, RedisNodeAddress } from '../RedisDriverOptions.js';
import { createTopology } from '../topology/createTopology.js';
import { keySlot } from '../topology/keySlot.js';

/**
 * How the driver reaches a deployment, for tools that need more than the store contract (the
 * `stowage doctor` checks, clean-up after `stowage conformance`): the same resolved settings and
 * the same clients the driver makes, never a second reading of the options.
 */
export interface RedisAccess {
  readonly mode: RedisMode;
  /** The prefix every key of the store starts with (`{P}` in a cluster). */
  readonly effectivePrefix: string;
  /** The sharded channel the store announces its writes on (`<effectivePrefix>:$changes`). */
  readonly changeChannel: string;
  /** The ACL rules a writer needs to announce, and a reader to follow the change feed. */
  readonly feedRules: { readonly publish: string; readonly subscribe: string };
  /** Cluster mode: the hash slot every key of the store is in. */
  readonly storeSlot: number | undefined;
  /** The addresses given: the server, the sentinels, or the cluster's startup nodes. */
  readonly endpoints: ReadonlyArray<RedisNodeAddress>;
  /** Sentinel mode: the master name. */
  readonly masterName: string | undefined;
  /** The ACL user of the data nodes, if one is given (else `default`). */
  readonly username: string | undefined;
  /** True when a password is given for the data nodes. */
  readonly hasPassword: boolean;
  /** True when the data nodes are reached over TLS. */
  readonly tls: boolean;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  /** Strings that must never be printed (passwords, the URL, a private key). */
  readonly secrets: ReadonlyArray<string>;
  /** A new client exactly as the driver makes it (lazy: call `connect()`); the caller closes it. */
  createClient(): Redis | Cluster;
  /** A lazy connection to one data node, with the data nodes' credentials and TLS. */
  createNodeClient(address: RedisNodeAddress): Redis;
  /** Sentinel mode: a lazy connection to one sentinel, with the sentinels' credentials and TLS. */
  createSentinelClient(address: RedisNodeAddress): Redis;
}

/** Resolves driver options (validated as `createRedisDriver` does) into a {@link RedisAccess}. */
export function redisAccess(options: RedisDriverOptions): RedisAccess {
  const settings = resolveRedisSettings(options);
  const topology = createTopology(settings);
  const policy = ownedClientPolicy(settings);
  const endpoint = settings.endpoint;
  const channel = changeChannel(topology.effectivePrefix);
  const tls: ConnectionOptions | undefined = endpoint?.tls;
  const connect = (
    address: RedisNodeAddress,
    credentials: { username?: string | undefined; password?: string | undefined },
  ) =>
    new Redis({
      ...policy,
      host: address.host,
      port: address.port,
      ...(credentials.username === undefined ? {} : { username: credentials.username }),
      ...(credentials.password === undefined ? {} : { password: credentials.password }),
      ...(tls === undefined ? {} : { tls }),
    });
  const endpoints =
    settings.mode === 'sentinel'
      ? (settings.sentinel?.sentinels ?? [])
      : settings.mode === 'cluster'
        ? (settings.cluster?.nodes ?? [])
        : endpoint === undefined
          ? []
          : [{ host: endpoint.host, port: endpoint.port }];
  return {
    mode: settings.mode,
    effectivePrefix: topology.effectivePrefix,
    changeChannel: channel,
    feedRules: { publish: publishRule(channel), subscribe: subscribeRule(channel) },
    storeSlot: settings.mode === 'cluster' ? keySlot(`${topology.effectivePrefix}:`) : undefined,
    endpoints,
    masterName: settings.sentinel?.name,
    username: endpoint?.username,
    hasPassword: endpoint?.password !== undefined,
    tls: tls !== undefined,
    connectTimeoutMs: settings.connectTimeoutMs,
    commandTimeoutMs: settings.commandTimeoutMs,
    secrets: settings.secrets,
    createClient: () => topology.createClient(),
    createNodeClient: (address) =>
      connect(address, { username: endpoint?.username, password: endpoint?.password }),
    createSentinelClient: (address) =>
      connect(address, {
        username: settings.sentinel?.sentinelUsername,
        password: settings.sentinel?.sentinelPassword,
      }),
  };
}
