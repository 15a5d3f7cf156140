import { describe, expect, it } from 'vitest';
import { features, item, segments, tombstone, versionsOf } from '../fixtures.js';
import type { SuiteContext } from '../SuiteContext.js';

/** init and isInitialized. */
export function initializationCases({ open, newPrefix }: SuiteContext): void {
  describe('initialization', () => {
    it('is not initialized before init', async () => {
      const store = await open();
      expect(await store.isInitialized()).toBe(false);
    });

    it('is initialized after init', async () => {
      const store = await open();
      await store.init([{ kind: features, items: [['a', item('a', 1)]] }]);
      expect(await store.isInitialized()).toBe(true);
    });

    it('is not initialized by an upsert alone', async () => {
      const store = await open();
      await store.upsert(features, 'a', item('a', 1));
      expect(await store.isInitialized()).toBe(false);
    });

    it('init replaces all previous data of the kinds given', async () => {
      const store = await open();
      await store.init([
        {
          kind: features,
          items: [
            ['a', item('a', 1)],
            ['b', item('b', 1)],
          ],
        },
        { kind: segments, items: [['s1', item('s1', 1)]] },
      ]);
      await store.init([
        {
          kind: features,
          items: [
            ['b', item('b', 2)],
            ['c', item('c', 1)],
          ],
        },
        { kind: segments, items: [['s2', item('s2', 1)]] },
      ]);
      expect(await versionsOf(store, features)).toEqual({ b: 2, c: 1 });
      expect(await versionsOf(store, segments)).toEqual({ s2: 1 });
      expect(await store.get(features, 'a')).toBeUndefined();
    });

    it('init leaves kinds it is not given as they are', async () => {
      const store = await open();
      await store.init([
        { kind: features, items: [['a', item('a', 1)]] },
        { kind: segments, items: [['s1', item('s1', 1)]] },
      ]);
      await store.init([{ kind: features, items: [['b', item('b', 1)]] }]);
      expect(await versionsOf(store, segments)).toEqual({ s1: 1 });
      expect(await versionsOf(store, features)).toEqual({ b: 1 });
    });

    it('init with an empty kind empties it', async () => {
      const store = await open();
      await store.init([{ kind: features, items: [['a', item('a', 1)]] }]);
      await store.init([{ kind: features, items: [] }]);
      expect((await store.getAll(features)).size).toBe(0);
      expect(await store.isInitialized()).toBe(true);
    });

    it('init ignores versions: what is given is what is stored', async () => {
      const store = await open();
      await store.upsert(features, 'a', item('a', 10));
      await store.init([{ kind: features, items: [['a', item('a', 3)]] }]);
      expect((await store.get(features, 'a'))?.version).toBe(3);
    });

    it('init takes the last of a key given twice', async () => {
      const store = await open();
      await store.init([
        {
          kind: features,
          items: [
            ['a', item('a', 5, { n: 1 })],
            ['a', item('a', 2, { n: 2 })],
          ],
        },
      ]);
      const stored = await store.get(features, 'a');
      expect(stored?.version).toBe(2);
      expect(JSON.parse(stored?.serializedItem ?? '{}').n).toBe(2);
    });

    it('init stores tombstones as tombstones', async () => {
      const store = await open();
      await store.init([
        {
          kind: features,
          items: [
            ['gone', tombstone('gone', 4)],
            ['bare', tombstone('bare', 6, false)],
          ],
        },
      ]);
      expect(await store.get(features, 'gone')).toMatchObject({ version: 4, deleted: true });
      expect(await store.get(features, 'bare')).toMatchObject({ version: 6, deleted: true });
      expect(await store.upsert(features, 'gone', item('gone', 3))).toMatchObject({
        applied: false,
      });
    });

    it('another instance sees an init', async () => {
      const prefix = newPrefix();
      const writer = await open(prefix);
      await writer.init([{ kind: features, items: [['a', item('a', 1)]] }]);
      const reader = await open(prefix);
      expect(await reader.isInitialized()).toBe(true);
      expect(await versionsOf(reader, features)).toEqual({ a: 1 });
    });

    it('another instance sees an init of no data at all', async () => {
      const prefix = newPrefix();
      const reader = await open(prefix);
      expect(await reader.isInitialized()).toBe(false);
      const writer = await open(prefix);
      await writer.init([]);
      expect(await (await open(prefix)).isInitialized()).toBe(true);
    });

    it('another instance sees an init of empty kinds', async () => {
      const prefix = newPrefix();
      const writer = await open(prefix);
      await writer.init([
        { kind: features, items: [] },
        { kind: segments, items: [] },
      ]);
      const reader = await open(prefix);
      expect(await reader.isInitialized()).toBe(true);
      expect((await reader.getAll(features)).size).toBe(0);
    });

    it('once initialized, stays initialized for that instance', async () => {
      const prefix = newPrefix();
      const store = await open(prefix);
      await store.init([]);
      expect(await store.isInitialized()).toBe(true);
      expect(await store.isInitialized()).toBe(true);
    });
  });
}
