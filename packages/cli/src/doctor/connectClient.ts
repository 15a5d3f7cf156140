import type { RedisAccess } from '@stowage/redis';
import type { RedisClient } from './primaryNodes.js';
import { withTimeout } from './withTimeout.js';

/**
 * Connects `client` (made with `lazyConnect`), giving up after twice the deployment's connect
 * timeout. Its 'error' events are swallowed: the failure arrives as the rejection, and an 'error'
 * event without a listener would end the process.
 */
export async function connectClient(
  client: RedisClient,
  access: RedisAccess,
  what: string,
): Promise<void> {
  client.on('error', () => {});
  await withTimeout(client.connect(), access.connectTimeoutMs * 2, what);
}
