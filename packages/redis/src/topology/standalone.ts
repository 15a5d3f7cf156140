import { Redis } from 'ioredis';
import { ownedClientPolicy } from '../connection/clientPolicy.js';
import type { RedisSettings } from '../options/resolveRedisSettings.js';
import type { RedisTopology } from './RedisTopology.js';
import { type SubscriberOptions, singleNode } from './singleNode.js';

/** One Redis server (or a proxy that looks like one): keys are `P:K`, one client per connection. */
export function standaloneTopology(settings: RedisSettings): RedisTopology {
  const { endpoint, client } = settings;
  const policy = ownedClientPolicy(settings);
  return {
    mode: 'standalone',
    effectivePrefix: settings.prefix,
    ...singleNode((extra: SubscriberOptions = {}) => {
      // Dedicated connections next to a client handed in reach the same server the same way, but
      // with the driver's bounded-failure policy.
      if (client !== undefined) return client.duplicate({ ...policy, ...extra });
      if (endpoint === undefined) throw new Error('standalone topology without an endpoint');
      const { host, port, db, username, password, tls } = endpoint;
      return new Redis({
        ...policy,
        host,
        port,
        db,
        ...(username === undefined ? {} : { username }),
        ...(password === undefined ? {} : { password }),
        ...(tls === undefined ? {} : { tls }),
        ...extra,
      });
    }),
  };
}
