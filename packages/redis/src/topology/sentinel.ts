import { Redis } from 'ioredis';
import { ownedClientPolicy, RECONNECT } from '../connection/clientPolicy.js';
import type { RedisSettings } from '../options/resolveRedisSettings.js';
import type { RedisTopology } from './RedisTopology.js';
import { type SubscriberOptions, singleNode } from './singleNode.js';

/** A write sent to a primary that has just been demoted: reconnect (asking the sentinels again). */
const reconnectOnReadOnly = (error: Error) => error.message.startsWith('READONLY');

/**
 * A primary and its replicas watched by Redis Sentinel: the client asks the sentinels for the
 * current primary, and follows a failover. Keys are `P:K`, as standalone.
 *
 * - `failoverDetector` (default on): ioredis subscribes to the sentinels' `+switch-master` and
 *   reconnects at once. Without it a graceful failover leaves the client on the demoted primary
 *   for ~11 s, where every write is acknowledged and then lost.
 * - `reconnectOnError` for `READONLY`: a write that reaches a demoted primary fails (typed) and the
 *   client reconnects to whatever the sentinels name now; it is not resent (the driver never
 *   resends writes on its own).
 * - TLS applies to the sentinels and the data nodes alike (`enableTLSForSentinelMode` and
 *   `sentinelTLS`: without them ioredis silently talks plain TCP to the data nodes).
 */
export function sentinelTopology(settings: RedisSettings): RedisTopology {
  const { endpoint, sentinel } = settings;
  if (endpoint === undefined || sentinel === undefined) {
    throw new Error('sentinel topology without sentinels');
  }
  const policy = ownedClientPolicy(settings);
  const { username, password, db, tls } = endpoint;
  const createClient = (extra: SubscriberOptions = {}) =>
    new Redis({
      ...policy,
      sentinels: sentinel.sentinels.map(({ host, port }) => ({ host, port })),
      name: sentinel.name,
      db,
      ...(username === undefined ? {} : { username }),
      ...(password === undefined ? {} : { password }),
      ...(sentinel.sentinelUsername === undefined
        ? {}
        : { sentinelUsername: sentinel.sentinelUsername }),
      ...(sentinel.sentinelPassword === undefined
        ? {}
        : { sentinelPassword: sentinel.sentinelPassword }),
      ...(tls === undefined ? {} : { tls, enableTLSForSentinelMode: true, sentinelTLS: tls }),
      failoverDetector: sentinel.failoverDetector,
      sentinelRetryStrategy: RECONNECT.delayMs,
      sentinelCommandTimeout: settings.commandTimeoutMs,
      reconnectOnError: reconnectOnReadOnly,
      ...extra,
    });
  return { mode: 'sentinel', effectivePrefix: settings.prefix, ...singleNode(createClient) };
}
