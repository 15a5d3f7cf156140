import type { SentinelGroup } from '@stowage/testing';
import {
  createRedisDriver,
  type RedisDataStore,
  type RedisDriverOptions,
} from '../../src/index.js';
import { waitForReplicaInSync } from './nodeState.js';

/** Longest wait for the demoted primary to rejoin as an in-sync replica. */
const SETTLE_BOUND_MS = 20_000;

/**
 * Once every data node is back and the demoted primary has resynchronised from the new one, a
 * store on the primary the sentinels name (with the default options, so it follows them): what
 * it reads is what the group kept. Reading through the store that wrote could read the demoted
 * primary's own copy before the resync drops its lost writes.
 */
export async function settledPrimaryStore(
  group: SentinelGroup,
  prefix: string,
): Promise<RedisDataStore> {
  const primary = await group.primary();
  const replicas = group.nodes.filter((node) => node.running && node.port !== primary.port);
  await Promise.all(replicas.map((node) => waitForReplicaInSync(node, SETTLE_BOUND_MS)));
  return sentinelStore(group, prefix);
}

/** A store on `group` that asks its sentinels for the primary, under `prefix`, with `options`. */
export function sentinelStore(
  group: SentinelGroup,
  prefix: string,
  options: RedisDriverOptions = {},
): RedisDataStore {
  return createRedisDriver({
    mode: 'sentinel',
    sentinels: group.sentinels.map(({ host, port }) => ({ host, port })),
    name: group.name,
    prefix,
    ...options,
  });
}
