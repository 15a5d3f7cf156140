import type { UpsertResult } from '@stowage/core';
import { startPostgresServer } from '@stowage/testing';
import { describe, expect, it } from 'vitest';
import type { PostgresDataStore } from '../src/index.js';
import { item } from './support/errors.js';
import { useTableServer } from './support/tableServer.js';

const kind = { namespace: 'features' };
const file = useTableServer(() => startPostgresServer({ settings: { max_connections: 200 } }));

/** Stores of their own (pools of their own): writers that truly race on the server. */
function openStores(count: number, prefix: string): PostgresDataStore[] {
  return Array.from({ length: count }, () => file.open({ prefix, poolSize: 5 }));
}

describe('concurrent upserts on one key', () => {
  it('lose no update with 100 writers: the highest version is stored, and applied once', async () => {
    const writers = openStores(10, 'race100');
    const versions = Array.from({ length: 100 }, (_, index) => index + 1);
    // Shuffled, so that lower versions often arrive after higher ones.
    versions.sort(() => Math.random() - 0.5);
    const results = await Promise.all(
      versions.map((version, index) =>
        (writers[index % writers.length] as PostgresDataStore).upsert(
          kind,
          'k',
          item('k', version),
        ),
      ),
    );
    expect(await writers[0]?.get(kind, 'k')).toEqual(item('k', 100));
    const top = results[versions.indexOf(100)] as UpsertResult;
    expect(top.applied).toBe(true);
  });

  it('report, when rejected, a stored version at least as high as their own', async () => {
    // Rounds of equal and near versions racing: the row that blocked a write was committed
    // after the write's statement began, so a read in the write's snapshot would miss it.
    const writers = openStores(8, 'rejected');
    for (let round = 0; round < 20; round += 1) {
      const key = `k${round}`;
      const attempts = Array.from({ length: 24 }, (_, index) => ({
        store: writers[index % writers.length] as PostgresDataStore,
        version: 1 + (index % 4),
      }));
      const results = await Promise.all(
        attempts.map(({ store, version }) => store.upsert(kind, key, item(key, version))),
      );
      results.forEach((result, index) => {
        const own = attempts[index]?.version ?? 0;
        if (!result.applied) {
          expect(result.current, `round ${round}: a rejected write saw no row`).toBeDefined();
          expect(result.current?.version).toBeGreaterThanOrEqual(own);
        }
      });
      expect((await writers[0]?.get(kind, key))?.version).toBe(4);
    }
  });

  it('keep init atomic against concurrent readers: a kind is never seen half-replaced', async () => {
    const [writer, reader] = openStores(2, 'atomic-init');
    const set = (tag: number) =>
      Array.from({ length: 500 }, (_, index) => [`k${index}`, item(`${tag}`, tag)] as const);
    await writer?.init([{ kind, items: set(1) }]);
    const inits = (async () => {
      for (let tag = 2; tag < 8; tag += 1) await writer?.init([{ kind, items: set(tag) }]);
    })();
    const seen = new Set<string>();
    let done = false;
    void inits.finally(() => {
      done = true;
    });
    while (!done) {
      const all = await reader?.getAll(kind);
      expect(all?.size).toBe(500);
      seen.add([...new Set([...(all?.values() ?? [])].map((entry) => entry.version))].join(','));
    }
    await inits;
    for (const versions of seen) expect(versions.split(',')).toHaveLength(1);
  });

  it('let init win over upserts that insert its keys meanwhile, running it again', async () => {
    const [initer, ...writers] = openStores(6, 'init-race');
    const keys = Array.from({ length: 300 }, (_, index) => `k${index}`);
    const items = keys.map((key) => [key, item(key, 1)] as const);
    const upserts = Promise.all(
      keys.map((key, index) =>
        (writers[index % writers.length] as PostgresDataStore).upsert(kind, key, item(key, 5)),
      ),
    );
    await initer?.init([{ kind, items }]);
    await upserts;
    // Each key: the init's item (it committed last) or the upsert's (it came after the init).
    const all = await initer?.getAll(kind);
    expect(all?.size).toBe(300);
    for (const entry of all?.values() ?? []) expect([1, 5]).toContain(entry.version);
  });
});

describe('a server whose default isolation is SERIALIZABLE', () => {
  const strict = useTableServer(() =>
    startPostgresServer({ settings: { default_transaction_isolation: 'serializable' } }),
  );

  it('retries serialization failures a bounded number of times, then reports backend', async () => {
    const writers = Array.from({ length: 10 }, () =>
      strict.open({ prefix: 'strict', poolSize: 5 }),
    );
    const writes = Array.from({ length: 100 }, (_, index) =>
      (writers[index % 10] as PostgresDataStore).upsert(kind, 'k', item('k', index + 1)).then(
        () => 'done',
        (error: { code?: string }) => error.code,
      ),
    );
    const inits = writers.slice(0, 3).map((writer, index) =>
      writer.init([{ kind, items: [['k', item('k', 1_000 + index)]] }]).then(
        () => 'done',
        (error: { code?: string }) => error.code,
      ),
    );
    const outcomes = await Promise.all([...writes, ...inits]);
    for (const outcome of outcomes) expect(['done', 'backend']).toContain(outcome);
    expect(outcomes.filter((outcome) => outcome === 'done').length).toBeGreaterThan(0);
    expect((await writers[0]?.get(kind, 'k'))?.version).toBeGreaterThanOrEqual(100);
  });
});
