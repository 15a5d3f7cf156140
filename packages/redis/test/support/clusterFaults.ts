import { StowageError } from '@stowage/core';
import type { RedisCluster, RedisServer } from '@stowage/testing';
import type { RedisDataStore } from '../../src/index.js';
import { clusterPrefix } from '../../src/topology/keySlot.js';

/** Slots `redis-cli --cluster create` gives to the first, second and third primary. */
const SLOT_PER_SHARD = [0, 8000, 16_000];

/** The slot every key of a store with `prefix` lives in (`{P}:KIND`, `{P}:$inited`). */
export function storeSlot(cluster: RedisCluster, prefix: string): number {
  return cluster.keySlot(clusterPrefix(prefix));
}

/** The three primaries, one per shard, in slot order. */
export function primaries(cluster: RedisCluster): Promise<RedisServer[]> {
  return Promise.all(SLOT_PER_SHARD.map((slot) => cluster.primaryForSlot(slot)));
}

/** A store prefix `${base}-<n>` whose slot the primary `primary` serves (first of 1000 tried). */
export async function prefixServedBy(
  cluster: RedisCluster,
  primary: RedisServer,
  base: string,
): Promise<string> {
  for (let n = 0; n < 1000; n++) {
    const prefix = `${base}-${n}`;
    if ((await cluster.primaryForSlot(storeSlot(cluster, prefix))).port === primary.port) {
      return prefix;
    }
  }
  throw new Error(`no prefix ${base}-<n> served by ${primary.port}`);
}

/** The first message seen for each error code of a store's failed operations. */
export type FailureSamples = Map<string, string>;

/**
 * The store with its `upsert` and `get` watched: the first failure message of each code is kept,
 * so that a test that meets an unexpected code can say what it was.
 */
export function sampleFailures(store: RedisDataStore): {
  store: RedisDataStore;
  samples: FailureSamples;
} {
  const samples: FailureSamples = new Map();
  const keep = (error: unknown) => {
    if (StowageError.is(error) && !samples.has(error.code)) {
      samples.set(error.code, errorMessages(error));
    }
    throw error;
  };
  const watched = Object.create(store) as RedisDataStore;
  Object.assign(watched, {
    upsert: (...args: Parameters<RedisDataStore['upsert']>) => store.upsert(...args).catch(keep),
    get: (...args: Parameters<RedisDataStore['get']>) => store.get(...args).catch(keep),
  });
  return { store: watched, samples };
}

/** The messages of an error and its causes, joined. */
function errorMessages(error: unknown): string {
  const parts: string[] = [];
  for (let current = error; current instanceof Error && parts.length < 5; ) {
    const previous = (current as { previousErrors?: unknown }).previousErrors;
    const reasons = Array.isArray(previous) ? previous.map((e) => String(e?.message)) : [];
    parts.push(reasons.length === 0 ? current.message : `${current.message} [${reasons}]`);
    current = current.cause;
  }
  return parts.join(' <- ');
}
