import type { KeyedItem } from '@stowage/core';
import type { Cluster, Redis } from 'ioredis';

// The raw-ioredis baselines that more than one benchmark file measures the driver against: the
// same Redis work, and the same work on the answer, as the driver does.

/** What the driver gives per item of `getAll`: the stored string and the version read from it. */
export interface RawItem {
  readonly version: number;
  readonly serializedItem: string;
}

/**
 * `getAll` by hand: HGETALL and `JSON.parse` of every value, into a Map of the string and its
 * version. Not of the parsed bodies: keeping 10,000 parsed objects alive costs more than the
 * driver's work, which drops them.
 */
export async function rawGetAll(raw: Redis | Cluster, hash: string): Promise<Map<string, RawItem>> {
  const all = await raw.hgetall(hash);
  const map = new Map<string, RawItem>();
  for (const key of Object.keys(all)) {
    const serializedItem = all[key] as string;
    const { version } = JSON.parse(serializedItem) as { version: number };
    map.set(key, { version, serializedItem });
  }
  return map;
}

/** `init` of one kind by hand: MULTI, DEL, HSETs of `pairsPerHset` pairs (default: all), SET, EXEC. */
export function rawInit(
  raw: Redis | Cluster,
  hash: string,
  marker: string,
  items: ReadonlyArray<KeyedItem>,
  pairsPerHset = items.length,
) {
  const multi = raw.multi().del(hash);
  for (let i = 0; i < items.length; i += pairsPerHset) {
    const pairs: string[] = [];
    for (const [key, d] of items.slice(i, i + pairsPerHset)) {
      pairs.push(key, d.serializedItem as string);
    }
    multi.hset(hash, ...pairs);
  }
  return multi.set(marker, '').exec();
}
