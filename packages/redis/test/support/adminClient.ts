import type { RedisServer } from '@stowage/testing';
import { Redis } from 'ioredis';

/**
 * A client as the server's default user (full rights), for what tests do behind the driver's
 * back: raw writes, clean-up, inspection.
 */
export function adminClient(server: RedisServer): Redis {
  const client = new Redis({
    host: server.host,
    port: server.port,
    ...(server.password === undefined ? {} : { password: server.password }),
    ...(server.tls === undefined ? {} : { tls: { ca: server.tls.ca } }),
    maxRetriesPerRequest: 1,
    lazyConnect: true,
  });
  // Tests stop and restart servers on purpose; ioredis would print every reconnection failure.
  client.on('error', () => {});
  return client;
}

const GLOB_SPECIALS = /[*?[\]\\]/g;

/** Deletes every key of `prefix` (its kinds and its marker). */
export async function clearPrefix(admin: Redis, prefix: string): Promise<void> {
  const pattern = `${prefix.replace(GLOB_SPECIALS, '\\$&')}:*`;
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) await admin.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
