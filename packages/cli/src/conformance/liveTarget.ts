import type { DataKind, PersistentDataStore } from '@stowage/core';
import { createMemoryBackend } from '@stowage/memory';
import { type RedisAccess, type RedisDriverOptions, redisAccess } from '@stowage/redis';
import type { Cluster, Redis } from 'ioredis';
import type { Target } from '../target.js';

/** What `stowage conformance` hands to the suite it runs (through vitest's `provide`). */
export interface LiveRun {
  /** The flags that select the deployment, loaded again in the test worker. */
  readonly flags: { config?: string; url?: string; mode?: string };
  /** The fresh random base of every prefix the run uses. */
  readonly prefixBase: string;
}

export const LIVE_RUN_KEY = 'stowageLiveRun';

/** A glob pattern matching `text` literally. */
export const literalGlob = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');

/** Every primary of a cluster, or the one server. */
const nodesOf = (client: Redis | Cluster): Redis[] =>
  (client as Cluster).isCluster ? (client as Cluster).nodes('master') : [client as Redis];

/** Deletes every key matching one of `patterns`, on every primary; answers how many. */
export async function deleteMatching(
  client: Redis | Cluster,
  patterns: ReadonlyArray<string>,
): Promise<number> {
  let deleted = 0;
  for (const node of nodesOf(client)) {
    for (const pattern of patterns) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        for (const key of keys) deleted += await node.del(key);
        cursor = next;
      } while (cursor !== '0');
    }
  }
  return deleted;
}

/** The factories the conformance suite needs, for the deployment a {@link Target} names. */
export interface LiveFactories {
  createStore(prefix: string): PersistentDataStore;
  clearPrefix(prefix: string): Promise<void>;
  writeRaw(prefix: string, kind: DataKind, key: string, raw: string): Promise<void>;
  /** Removes whatever the run left under its base; answers how many keys. */
  sweep(prefixBase: string): Promise<number>;
  close(): void;
}

export async function liveFactories(target: Target): Promise<LiveFactories> {
  const { config } = target;
  if (config.driver === 'memory') {
    const backend = createMemoryBackend();
    return {
      createStore: (prefix) => config.driverFactory({ backend }, { prefix }),
      clearPrefix: async (prefix) => backend.clearPrefix(prefix),
      writeRaw: async (prefix, kind, key, raw) =>
        backend.writeRaw(prefix, kind.namespace, key, raw),
      sweep: async () => 0,
      close: () => {},
    };
  }
  const access = target.redis as RedisAccess;
  const client = access.createClient();
  client.on('error', () => {});
  await client.connect();
  const options = config.driverOptions as RedisDriverOptions;
  const effective = (prefix: string) => redisAccess({ ...options, prefix }).effectivePrefix;
  return {
    createStore: (prefix) => config.driverFactory(options, { prefix }),
    clearPrefix: async (prefix) => {
      const base = effective(prefix);
      await deleteMatching(client, [`${literalGlob(base)}:*`]);
    },
    writeRaw: async (prefix, kind, key, raw) => {
      await client.hset(`${effective(prefix)}:${kind.namespace}`, key, raw);
    },
    sweep: (prefixBase) =>
      deleteMatching(client, [`${literalGlob(prefixBase)}*`, `{${literalGlob(prefixBase)}*`]),
    close: () => client.disconnect(),
  };
}
