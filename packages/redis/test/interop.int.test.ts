import type {
  interfaces,
  LDClientContext,
  LDFeatureStore,
  LDFeatureStoreDataStorage,
  LDFeatureStoreItem,
  LDFeatureStoreKindData,
} from '@launchdarkly/node-server-sdk';
import { RedisFeatureStore } from '@launchdarkly/node-server-sdk-redis';
import type { SerializedItemDescriptor } from '@stowage/core';
import { type RedisServer, startRedisServer } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisDriver, type RedisDataStore } from '../src/index.js';
import { features, segments } from './support/items.js';

// LaunchDarkly's Redis store and this driver on the same prefix, both ways: what one writes the
// other reads, deletions (tombstones) included, and each one's version checks respect the other's
// data.
const ldFeatures: interfaces.DataKind = { namespace: 'features' };
const ldSegments: interfaces.DataKind = { namespace: 'segments' };

let server: RedisServer;
const closers: Array<() => unknown> = [];

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  await server?.stop();
});

const silent = { error() {}, warn() {}, info() {}, debug() {} };

/** LaunchDarkly's store without its cache (cacheTTL 0), so that every call reads Redis. */
function openLaunchDarkly(prefix: string): LDFeatureStore {
  const factory = RedisFeatureStore({
    prefix,
    cacheTTL: 0,
    redisOpts: { host: server.host, port: server.port },
  });
  // The factory reads only the logger of the SDK's context.
  const store = factory({ basicConfiguration: { logger: silent } } as unknown as LDClientContext);
  closers.push(() => store.close());
  return store;
}

function openStowage(prefix: string): RedisDataStore {
  const store = createRedisDriver({ url: server.url, prefix });
  closers.push(() => store.close());
  return store;
}

const ld = {
  init: (store: LDFeatureStore, data: LDFeatureStoreDataStorage) =>
    new Promise<void>((resolve) => store.init(data, () => resolve())),
  get: (store: LDFeatureStore, kind: interfaces.DataKind, key: string) =>
    new Promise<LDFeatureStoreItem | null>((resolve) => store.get(kind, key, resolve)),
  all: (store: LDFeatureStore, kind: interfaces.DataKind) =>
    new Promise<LDFeatureStoreKindData>((resolve) => store.all(kind, resolve)),
  upsert: (store: LDFeatureStore, kind: interfaces.DataKind, item: LDFeatureStoreItem) =>
    new Promise<void>((resolve) =>
      store.upsert(kind, item as Parameters<LDFeatureStore['upsert']>[1], () => resolve()),
    ),
  delete: (store: LDFeatureStore, kind: interfaces.DataKind, key: string, version: number) =>
    new Promise<void>((resolve) => store.delete(kind, key, version, () => resolve())),
  initialized: (store: LDFeatureStore) =>
    new Promise<boolean>((resolve) => store.initialized(resolve)),
};

function flag(key: string, version: number, on = true) {
  return {
    key,
    version,
    on,
    variations: [true, false],
    fallthrough: { variation: 0 },
    offVariation: 1,
    salt: `salt-${key}`,
    targets: [],
    rules: [],
    prerequisites: [],
    deleted: false,
  };
}

function segment(key: string, version: number) {
  return { key, version, included: ['user-1'], excluded: [], rules: [], salt: 's', deleted: false };
}

const live = (body: object & { version: number }): SerializedItemDescriptor => ({
  version: body.version,
  deleted: false,
  serializedItem: JSON.stringify(body),
});

describe('LaunchDarkly writes, Stowage reads', () => {
  it('reads its init, upserts and deletions, and keeps its version order', async () => {
    const prefix = 'ld-writes';
    const theirs = openLaunchDarkly(prefix);
    const ours = openStowage(prefix);
    expect(await ours.isInitialized()).toBe(false);
    await ld.init(theirs, {
      features: {
        f1: flag('f1', 3),
        f2: flag('f2', 1),
        gone: { key: 'gone', version: 7, deleted: true },
      },
      segments: { s1: segment('s1', 2) },
    });
    await ld.upsert(theirs, ldFeatures, flag('f2', 2, false));
    await ld.delete(theirs, ldFeatures, 'f1', 4);

    expect(await ours.isInitialized()).toBe(true);
    const f2 = await ours.get(features, 'f2');
    expect(f2).toMatchObject({ version: 2, deleted: false });
    expect(JSON.parse(f2?.serializedItem ?? '{}')).toMatchObject({ key: 'f2', on: false });
    // Its deletion is stored as {"version":4,"deleted":true}: no key, still a tombstone.
    expect(await ours.get(features, 'f1')).toMatchObject({ version: 4, deleted: true });
    expect(await ours.get(features, 'gone')).toMatchObject({ version: 7, deleted: true });
    const all = await ours.getAll(features);
    expect(Object.fromEntries([...all].map(([k, d]) => [k, [d.version, d.deleted]]))).toEqual({
      f1: [4, true],
      f2: [2, false],
      gone: [7, true],
    });
    expect((await ours.getAll(segments)).get('s1')).toMatchObject({ version: 2 });

    // Our compare-and-set reads the versions it wrote.
    expect(await ours.upsert(features, 'f1', live(flag('f1', 4)))).toMatchObject({
      applied: false,
      current: { version: 4, deleted: true },
    });
    expect(await ours.upsert(features, 'f1', live(flag('f1', 5)))).toEqual({ applied: true });
    expect(await ld.get(theirs, ldFeatures, 'f1')).toMatchObject({ key: 'f1', version: 5 });
  });
});

describe('Stowage writes, LaunchDarkly reads', () => {
  it('reads our init, upserts and tombstones (with and without a body)', async () => {
    const prefix = 'stowage-writes';
    const ours = openStowage(prefix);
    const theirs = openLaunchDarkly(prefix);
    expect(await ld.initialized(theirs)).toBe(false);
    await ours.init([
      {
        kind: segments,
        items: [['s1', live(segment('s1', 1))]],
      },
      {
        kind: features,
        items: [
          ['f1', live(flag('f1', 1))],
          ['f2', live(flag('f2', 1))],
          ['old', { version: 9, deleted: true }],
        ],
      },
    ]);
    await ours.upsert(features, 'f1', live(flag('f1', 2, false)));
    await ours.upsert(features, 'f2', {
      version: 3,
      deleted: true,
      serializedItem: JSON.stringify({ key: 'f2', version: 3, deleted: true }),
    });

    expect(await ld.initialized(theirs)).toBe(true);
    expect(await ld.get(theirs, ldFeatures, 'f1')).toMatchObject({
      key: 'f1',
      version: 2,
      on: false,
    });
    expect(await ld.get(theirs, ldFeatures, 'f2')).toBeNull();
    expect(await ld.get(theirs, ldFeatures, 'old')).toBeNull();
    expect(Object.keys(await ld.all(theirs, ldFeatures))).toEqual(['f1']);
    expect(await ld.get(theirs, ldSegments, 's1')).toMatchObject({ key: 's1', version: 1 });

    // Their version check respects our tombstones: an older write does not resurrect.
    await ld.upsert(theirs, ldFeatures, flag('old', 8));
    expect(await ours.get(features, 'old')).toMatchObject({ version: 9, deleted: true });
    await ld.upsert(theirs, ldFeatures, flag('old', 10));
    expect(await ours.get(features, 'old')).toMatchObject({ version: 10, deleted: false });
    await ld.delete(theirs, ldFeatures, 'f1', 5);
    expect(await ours.get(features, 'f1')).toMatchObject({ version: 5, deleted: true });
  });

  it('an init of ours replaces what they wrote, empty kinds included', async () => {
    const prefix = 'replace';
    const theirs = openLaunchDarkly(prefix);
    const ours = openStowage(prefix);
    await ld.init(theirs, { features: { a: flag('a', 1) }, segments: { s: segment('s', 1) } });
    await ours.init([
      { kind: features, items: [['b', live(flag('b', 1))]] },
      { kind: segments, items: [] },
    ]);
    expect(Object.keys(await ld.all(theirs, ldFeatures))).toEqual(['b']);
    expect(await ld.all(theirs, ldSegments)).toEqual({});
  });
});
