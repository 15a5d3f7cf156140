import type { DataKind } from '@stowage/core';
import { isValidNamespace } from '@stowage/core/driver';
import type { RedisConnection } from '../connection/RedisConnection.js';
import { storeNode } from './storeNode.js';

/** Keys asked for per SCAN. */
const SCAN_COUNT = 1000;

/**
 * The kinds of the store whose keys start with `effectivePrefix:`: a SCAN of its hashes on the
 * node that holds every key of the store (in a cluster, the primary of the slot of `marker`).
 */
export async function listKinds(
  connection: RedisConnection,
  effectivePrefix: string,
  marker: string,
): Promise<ReadonlyArray<DataKind>> {
  const base = `${effectivePrefix}:`;
  // The prefix is matched literally: glob characters in it are escaped.
  const pattern = `${base.replace(/[*?[\]\\]/g, '\\$&')}*`;
  const namespaces = await connection.run('listKinds', 'read', async (client) => {
    const node = storeNode(client, marker);
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(
        cursor,
        'MATCH',
        pattern,
        'COUNT',
        SCAN_COUNT,
        'TYPE',
        'hash',
      );
      for (const key of keys) found.add(key.slice(base.length));
      cursor = next;
    } while (cursor !== '0');
    return found;
  });
  return (
    [...namespaces]
      // A namespace has no `:`, so a nested prefix's key (`P:x:kind`) is not taken for a kind.
      .filter(isValidNamespace)
      .sort()
      .map((namespace) => ({ namespace }))
  );
}
