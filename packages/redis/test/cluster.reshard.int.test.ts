import { type RedisCluster, startCluster } from '@stowage/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRedisDriver, type RedisDataStore, type RedisDriverOptions } from '../src/index.js';
import { clusterPrefix } from '../src/topology/keySlot.js';
import { adminClient } from './support/adminClient.js';
import { primaries, sampleFailures, storeSlot } from './support/clusterFaults.js';
import { within } from './support/deadline.js';
import { commandCalls } from './support/nodeState.js';
import { clusterAdmin } from './support/topologyServers.js';
import { lostWrites, tally, writeThroughFault } from './support/writeStream.js';

// A live reshard of the slot every key of a store lives in (`{P}`) under writers: ASK, MOVED and
// TRYAGAIN never reach the caller, with either upsert strategy and with waitForReplicas. (The
// failovers of a cluster shard are in cluster.durability.int.test.ts.)
const CONNECT_TIMEOUT_MS = 2000;
const COMMAND_TIMEOUT_MS = 1000;
const GRACE_MS = 1000;
/** No single operation may take longer: a reconnect wait plus one command, and some slack. */
const OPERATION_BOUND_MS = CONNECT_TIMEOUT_MS + COMMAND_TIMEOUT_MS + GRACE_MS;
/** Every primary has one replica. */
const WAIT_ONE = { replicas: 1, timeoutMs: 500 } as const;

let cluster: RedisCluster;
const stores: RedisDataStore[] = [];

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await cluster?.stop();
});

function openStore(prefix: string, options: RedisDriverOptions = {}): RedisDataStore {
  const store = createRedisDriver({
    mode: 'cluster',
    nodes: cluster.startupNodes.map(({ host, port }) => ({ host, port })),
    prefix,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    ...options,
  });
  stores.push(store);
  return store;
}

/**
 * Moves the slot of `prefix` to another primary while `lanes` writers upsert and read it back.
 * Filler keys in the same slot make the migration take many batches, so that the store's hash is
 * already on the destination while the slot is still migrating (ASK), then MOVED.
 */
async function reshardThroughStream(
  prefix: string,
  options: RedisDriverOptions,
  alsoRead: boolean,
) {
  const slot = storeSlot(cluster, prefix);
  const source = await cluster.primaryForSlot(slot);
  const destination = (await primaries(cluster)).find((node) => node.port !== source.port);
  if (destination === undefined) throw new Error('no other primary');
  const admin = clusterAdmin(cluster.startupNodes);
  try {
    const filler = admin.pipeline();
    for (let i = 0; i < 400; i++) filler.set(`${clusterPrefix(prefix)}:filler-${i}`, 'x');
    await filler.exec();
  } finally {
    admin.disconnect();
  }
  const askingBefore = await commandCalls(destination, 'asking');
  const store = openStore(prefix, options);
  const { store: watched, samples } = sampleFailures(store);
  let keysMoved = 0;
  const report = await within(
    writeThroughFault({
      store: watched,
      keyBase: prefix,
      faultAfter: 200,
      writesAfter: 200,
      deadlineMs: 20_000,
      alsoRead,
      lanes: 4,
      fault: async () => {
        ({ keysMoved } = await cluster.migrateSlot(slot, source.port, destination.port, {
          batchSize: 10,
          pauseBetweenBatchesMs: 20,
        }));
      },
    }),
    20_000 + OPERATION_BOUND_MS,
    `the stream through the reshard of slot ${slot}`,
  );
  const asking = (await commandCalls(destination, 'asking')) - askingBefore;
  return { store, slot, source, destination, report, samples, keysMoved, asking };
}

const RESHARDS: ReadonlyArray<{ name: string; options: RedisDriverOptions; alsoRead: boolean }> = [
  { name: 'script', options: { upsertStrategy: 'script' }, alsoRead: true },
  { name: 'watch', options: { upsertStrategy: 'watch' }, alsoRead: true },
  // The write and its WAIT follow ASK and MOVED together; a store that only writes never meets a
  // MOVED on its cluster client, so it must find the new owner from the replies to its writes.
  {
    name: 'script, waitForReplicas, write-only',
    options: { upsertStrategy: 'script', waitForReplicas: WAIT_ONE },
    alsoRead: false,
  },
];

for (const { name, options, alsoRead } of RESHARDS) {
  it(`a live reshard of the store's slot (${name}): no error reaches the caller, every acknowledged write is on the new owner`, async () => {
    const prefix = `reshard-${name.replace(/\W+/g, '-')}`;
    const { store, slot, source, destination, report, samples, keysMoved, asking } =
      await reshardThroughStream(prefix, options, alsoRead);
    console.log(
      `cluster reshard (${name}) of slot ${slot} ${source.port} -> ${destination.port}: ${keysMoved} keys moved; ${report.acknowledged.length} acknowledged; ${report.failures.length} failed ${JSON.stringify(tally(report.failures))}; ${asking} ASKING on the destination; slowest operation ${report.slowestMs} ms`,
    );
    expect(report.failures, JSON.stringify([...samples])).toEqual([]);
    expect((await cluster.primaryForSlot(slot)).port).toBe(destination.port);
    expect(await lostWrites(store, report.acknowledged)).toBe(0);
    // Read behind the driver's back: the hash is on the destination itself.
    const direct = adminClient(destination);
    try {
      const stored = new Set(await direct.hkeys(`${clusterPrefix(prefix)}:features`));
      expect(report.acknowledged.filter((key) => !stored.has(key))).toEqual([]);
    } finally {
      direct.disconnect();
    }
  }, 40_000);
}
