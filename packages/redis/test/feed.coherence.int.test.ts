import {
  type DataStore,
  defineKind,
  type PersistentDataStore,
  type SerializedItemDescriptor,
  type VersionedItem,
  wrapDriver,
} from '@stowage/core';
import { type RedisServer, startCluster, startRedisServer } from '@stowage/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisDriver, type RedisDriverOptions } from '../src/index.js';
import { commandCalls, pollUntil } from './support/nodeState.js';

// Caches that follow the change feed stay coherent across a pool: instances with their own
// drivers (own connections) and infinite-TTL caches run a seeded random mix of upserts, deletes
// and reads on a few keys, several calls in flight at once. Each instance must never see a key go
// back to an older version (a read started after the instance saw version v, in a read or in the
// result of its own write, answers v or later); once the writes stop and every feed is live, every
// instance's cache holds exactly what the server holds, and answers it without asking the server.

interface Flag extends VersionedItem {
  readonly n: number;
}
const flags = defineKind<Flag>('features');

const INSTANCES = 3;
const OPERATIONS = 2_000;
const KEYS = 50;
const IN_FLIGHT = 8;
const SEED = 0x5eed_f00d;
/** How long the caches may take, after the last write, to agree with the server. */
const SETTLE_MS = 5_000;

/** mulberry32: a small seeded generator, so that a failure replays with the same operations. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const keyOf = (index: number) => `key-${String(index).padStart(2, '0')}`;

interface Topology {
  readonly name: string;
  start(): Promise<{
    readonly options: Omit<RedisDriverOptions, 'prefix'>;
    readonly nodes: ReadonlyArray<RedisServer>;
    stop(): Promise<void>;
  }>;
}

const topologies: ReadonlyArray<Topology> = [
  {
    name: 'standalone',
    async start() {
      const server = await startRedisServer();
      return { options: { url: server.url }, nodes: [server], stop: () => server.stop() };
    },
  },
  {
    name: 'cluster',
    async start() {
      const cluster = await startCluster();
      return {
        options: { mode: 'cluster', nodes: cluster.startupNodes },
        nodes: cluster.nodes,
        stop: () => cluster.stop(),
      };
    },
  },
];

const stops: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

/** Every key's stored descriptor as `raw` answers it (tombstones included). */
async function viewOf(raw: PersistentDataStore) {
  const view = new Map<string, SerializedItemDescriptor | undefined>();
  for (let i = 0; i < KEYS; i++) view.set(keyOf(i), await raw.get(flags, keyOf(i)));
  return view;
}

describe.each(topologies)('change feed coherence: $name', (topology) => {
  it('every instance sees versions only go up, and its cache equals the server once the feeds drain', async () => {
    const servers = await topology.start();
    stops.push(() => servers.stop());
    const prefix = 'coherence';
    const pool: DataStore[] = Array.from({ length: INSTANCES }, () =>
      wrapDriver(createRedisDriver({ ...servers.options, prefix }), {
        cache: { ttl: 'infinite' },
      }),
    );
    const fresh = createRedisDriver({ ...servers.options, prefix });
    stops.push(() => Promise.all([...pool.map((store) => store.close()), fresh.close()]));
    await pool[0]!.init([flags.items([])]);
    for (const store of pool) {
      // A read first: a store may start listening to its feed on first use.
      await store.get(flags, keyOf(0));
      await pollUntil(
        'the feed of every instance live',
        async () => (store.status.feed === 'live' ? true : undefined),
        10_000,
      );
    }

    // floors[instance][key]: the highest version that instance has seen of the key.
    const floors = pool.map(() => new Map<string, number>());
    const backwards: string[] = [];
    const saw = (instance: number, key: string, version: number, floor: number, what: string) => {
      if (version < floor)
        backwards.push(`${what}: instance ${instance} ${key} ${version} < ${floor}`);
      const floorsOf = floors[instance]!;
      if (version > (floorsOf.get(key) ?? -1)) floorsOf.set(key, version);
    };
    const next = random(SEED);
    const highestProposed = new Map<string, number>();
    let applied = 0;
    let rejected = 0;
    let reads = 0;
    const operation = async () => {
      const instance = Math.floor(next() * INSTANCES);
      const store = pool[instance]!;
      const key = keyOf(Math.floor(next() * KEYS));
      const roll = next();
      const floor = floors[instance]!.get(key) ?? -1;
      if (roll < 0.4) {
        // Mostly a new version, sometimes one that is already beaten (must be refused).
        const top = highestProposed.get(key) ?? 0;
        const version = next() < 0.85 ? top + 1 : Math.max(1, top - Math.floor(next() * 3));
        highestProposed.set(key, Math.max(top, version));
        const deleting = roll < 0.05;
        const result = deleting
          ? await store.delete(flags, key, version)
          : await store.upsert(flags, { key, version, n: Math.floor(next() * 1000) });
        if (result.applied) applied++;
        else rejected++;
        saw(instance, key, result.applied ? version : result.current!.version, floor, 'write');
      } else if (roll < 0.85) {
        const stored = await store.raw.get(flags, key);
        reads++;
        if (stored !== undefined) saw(instance, key, stored.version, floor, 'raw get');
        else if (floor >= 0)
          backwards.push(`raw get: instance ${instance} ${key} gone after ${floor}`);
      } else {
        const item = await store.get(flags, key);
        reads++;
        if (item !== undefined) saw(instance, key, item.version, floor, 'get');
      }
    };
    let started = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (started++ < OPERATIONS) await operation();
      }),
    );
    expect(backwards).toEqual([]);
    expect(applied).toBeGreaterThan(OPERATIONS / 5);
    expect(rejected).toBeGreaterThan(0);
    expect(reads).toBeGreaterThan(OPERATIONS / 3);

    // The writes stopped: every feed live, then every cache converges on the server's data.
    for (const store of pool) expect(store.status.feed).toBe('live');
    const server = await viewOf(fresh);
    const views = await pollUntil(
      'every cache equal to the server',
      async () => {
        const all = await Promise.all(pool.map((store) => viewOf(store.raw)));
        return all.every((view) => sameView(view, server)) ? all : undefined;
      },
      SETTLE_MS,
    ).catch(() => Promise.all(pool.map((store) => viewOf(store.raw))));
    for (const view of views) expect(Object.fromEntries(view)).toEqual(Object.fromEntries(server));
    // And the typed view agrees: live items by version, tombstones and absent keys as undefined.
    for (const store of pool) {
      for (const [key, stored] of server) {
        const item = await store.get(flags, key);
        expect(item?.version).toBe(
          stored === undefined || stored.deleted ? undefined : stored.version,
        );
      }
    }
    // Answered from the caches: reading everything again sends no read to the server.
    const readsBefore = await serverReads(servers.nodes);
    await Promise.all(pool.map((store) => viewOf(store.raw)));
    expect(await serverReads(servers.nodes)).toBe(readsBefore);
  }, 120_000);
});

const sameView = (
  a: ReadonlyMap<string, SerializedItemDescriptor | undefined>,
  b: ReadonlyMap<string, SerializedItemDescriptor | undefined>,
) =>
  [...b].every(([key, stored]) => {
    const mine = a.get(key);
    return (
      mine?.version === stored?.version &&
      mine?.deleted === stored?.deleted &&
      mine?.serializedItem === stored?.serializedItem
    );
  });

/** Item reads every node has served so far (HGET, and HGETALL for whole kinds). */
async function serverReads(nodes: ReadonlyArray<RedisServer>): Promise<number> {
  const counts = await Promise.all(
    nodes.flatMap((node) => [commandCalls(node, 'hget'), commandCalls(node, 'hgetall')]),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}
