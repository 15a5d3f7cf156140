import type { ConnectionOptions } from 'node:tls';
import { DEFAULT_PREFIX, type UpsertReadWriteHook } from '@stowage/core/driver';
import type { Redis } from 'ioredis';
import {
  REDIS_DEFAULTS,
  type RedisDriverOptions,
  type RedisMode,
  type RedisNodeAddress,
  type RedisTlsOptions,
  type UpsertStrategy,
  type WaitForReplicasOptions,
} from '../RedisDriverOptions.js';
import type { RedisUrlParts } from './parseRedisUrl.js';

/** Where and how to connect, once the URL and the defaults are folded in. */
export interface RedisEndpointSettings {
  readonly host: string;
  readonly port: number;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly db: number;
  /** Node TLS options, or undefined for plain TCP. */
  readonly tls: ConnectionOptions | undefined;
}

/** Sentinel mode: where the sentinels are and how to talk to them. */
export interface SentinelSettings {
  readonly sentinels: ReadonlyArray<RedisNodeAddress>;
  readonly name: string;
  readonly sentinelUsername: string | undefined;
  readonly sentinelPassword: string | undefined;
  readonly failoverDetector: boolean;
}

/** Cluster mode: where to discover the cluster. */
export interface ClusterSettings {
  readonly nodes: ReadonlyArray<RedisNodeAddress>;
  readonly natMap: Readonly<Record<string, RedisNodeAddress>> | undefined;
}

/** Everything the driver needs, resolved from validated options. */
export interface RedisSettings {
  readonly mode: RedisMode;
  readonly prefix: string;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly upsertStrategy: UpsertStrategy;
  readonly maxUpsertAttempts: number;
  readonly upsertHook: UpsertReadWriteHook | undefined;
  /** The application's client, or undefined when the driver creates its own. */
  readonly client: Redis | undefined;
  /**
   * Undefined with a client handed in. In sentinel and cluster mode `host`/`port` are unused; the
   * credentials, database and TLS apply to every data node.
   */
  readonly endpoint: RedisEndpointSettings | undefined;
  /** Set in sentinel mode. */
  readonly sentinel: SentinelSettings | undefined;
  /** Set in cluster mode. */
  readonly cluster: ClusterSettings | undefined;
  /** WAIT after each write, or undefined. */
  readonly waitForReplicas: WaitForReplicasOptions | undefined;
  /**
   * Report writes of other writers of the schema (which do not announce themselves) as `kind`
   * events, by server-assisted client tracking of the prefix.
   */
  readonly trackForeignWrites: boolean;
  /** Strings that must never appear in an error: password, URL, private key. */
  readonly secrets: ReadonlyArray<string>;
}

/** Node's TLS options, or undefined for plain TCP. */
function tlsOptions(
  tls: boolean | RedisTlsOptions | undefined,
  /** The one host TLS names are checked against; undefined with several (sentinel, cluster). */
  host: string | undefined,
): ConnectionOptions | undefined {
  const settings = typeof tls === 'object' ? tls : {};
  if (typeof tls === 'object' ? tls.enabled === false : tls !== true) return undefined;
  // Verification is on unless explicitly turned off: `undefined` must not weaken it.
  const result: ConnectionOptions = { rejectUnauthorized: settings.rejectUnauthorized !== false };
  if (settings.ca !== undefined) result.ca = settings.ca;
  if (settings.cert !== undefined) result.cert = settings.cert;
  if (settings.key !== undefined) result.key = settings.key;
  // SNI must not be an IP address (Node warns); the certificate check still uses the host.
  const servername =
    settings.servername ?? (host === undefined || /^[\d.]+$|:/.test(host) ? undefined : host);
  if (servername !== undefined) result.servername = servername;
  return result;
}

/** The settings the driver runs with: options, then what a URL says, then the defaults. */
export function settingsOf(
  mode: RedisMode,
  options: RedisDriverOptions,
  fromUrl: RedisUrlParts | undefined,
): RedisSettings {
  const server = mode === 'standalone' ? fromUrl?.endpoints[0] : undefined;
  const host = server?.host ?? options.host ?? REDIS_DEFAULTS.host;
  const password = options.password ?? fromUrl?.password;
  const sentinelPassword = options.sentinelPassword ?? fromUrl?.sentinelPassword;
  const tlsKey = typeof options.tls === 'object' ? options.tls.key : undefined;
  const secrets = [password, options.url, tlsKey, sentinelPassword].filter(
    (secret): secret is string => secret !== undefined && secret.length > 0,
  );
  // As they appear inside a URL, percent-encoded.
  if (password !== undefined) secrets.push(encodeURIComponent(password));
  if (sentinelPassword !== undefined) secrets.push(encodeURIComponent(sentinelPassword));
  return {
    mode,
    prefix: options.prefix ?? DEFAULT_PREFIX,
    connectTimeoutMs: options.connectTimeoutMs ?? REDIS_DEFAULTS.connectTimeoutMs,
    commandTimeoutMs: options.commandTimeoutMs ?? REDIS_DEFAULTS.commandTimeoutMs,
    upsertStrategy: options.upsertStrategy ?? REDIS_DEFAULTS.upsertStrategy,
    maxUpsertAttempts: options.maxUpsertAttempts ?? REDIS_DEFAULTS.maxUpsertAttempts,
    upsertHook: options.upsertHook,
    client: options.client,
    endpoint:
      options.client !== undefined
        ? undefined
        : {
            host,
            port: server?.port ?? options.port ?? REDIS_DEFAULTS.port,
            username: options.username ?? fromUrl?.username,
            password,
            db: options.db ?? fromUrl?.db ?? REDIS_DEFAULTS.db,
            tls: tlsOptions(options.tls ?? fromUrl?.tls, mode === 'standalone' ? host : undefined),
          },
    sentinel:
      mode !== 'sentinel'
        ? undefined
        : {
            sentinels: options.sentinels ?? fromUrl?.endpoints ?? [],
            name: options.name ?? fromUrl?.name ?? '',
            sentinelUsername: options.sentinelUsername ?? fromUrl?.sentinelUsername,
            sentinelPassword,
            failoverDetector: options.failoverDetector ?? REDIS_DEFAULTS.failoverDetector,
          },
    cluster:
      mode !== 'cluster'
        ? undefined
        : { nodes: options.nodes ?? fromUrl?.endpoints ?? [], natMap: options.natMap },
    waitForReplicas: options.waitForReplicas,
    trackForeignWrites: options.trackForeignWrites ?? REDIS_DEFAULTS.trackForeignWrites,
    secrets,
  };
}
