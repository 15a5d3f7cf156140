import { describe, expect, it } from 'vitest';
import { features, item, segments, tombstone, versionsOf } from '../fixtures.js';
import type { SuiteContext } from '../SuiteContext.js';

/** upsert and delete (an upsert of a tombstone). */
export function writeCases({ open }: SuiteContext): void {
  describe('upsert', () => {
    it('adds a new item', async () => {
      const store = await open();
      await store.init([{ kind: features, items: [] }]);
      expect(await store.upsert(features, 'a', item('a', 1))).toMatchObject({ applied: true });
      expect(await store.get(features, 'a')).toEqual(item('a', 1));
    });

    it('adds an item before any init', async () => {
      const store = await open();
      expect(await store.upsert(features, 'a', item('a', 0))).toMatchObject({ applied: true });
      expect((await store.get(features, 'a'))?.version).toBe(0);
    });

    it('applies a newer version', async () => {
      const store = await open();
      await store.init([{ kind: features, items: [['a', item('a', 1)]] }]);
      expect(await store.upsert(features, 'a', item('a', 2, { v: 'new' }))).toMatchObject({
        applied: true,
      });
      expect(await store.get(features, 'a')).toEqual(item('a', 2, { v: 'new' }));
    });

    it('rejects an older version, keeps the stored one and tells what it is', async () => {
      const store = await open();
      await store.init([{ kind: features, items: [['a', item('a', 5)]] }]);
      const result = await store.upsert(features, 'a', item('a', 4));
      expect(result.applied).toBe(false);
      expect(result.current).toEqual(item('a', 5));
      expect(await store.get(features, 'a')).toEqual(item('a', 5));
    });

    it('rejects the same version', async () => {
      const store = await open();
      await store.init([{ kind: features, items: [['a', item('a', 5, { v: 'old' })]] }]);
      const result = await store.upsert(features, 'a', item('a', 5, { v: 'new' }));
      expect(result).toMatchObject({ applied: false, current: { version: 5 } });
      expect(await store.get(features, 'a')).toEqual(item('a', 5, { v: 'old' }));
    });

    it('changes only its own kind', async () => {
      const store = await open();
      await store.init([
        { kind: features, items: [['a', item('a', 1)]] },
        { kind: segments, items: [['a', item('a', 9)]] },
      ]);
      await store.upsert(features, 'a', item('a', 2));
      expect((await store.get(segments, 'a'))?.version).toBe(9);
      expect(await versionsOf(store, features)).toEqual({ a: 2 });
    });

    it('keeps version numbers up to the largest safe integer', async () => {
      const store = await open();
      const big = Number.MAX_SAFE_INTEGER;
      expect(await store.upsert(features, 'a', item('a', big - 1))).toMatchObject({
        applied: true,
      });
      expect(await store.upsert(features, 'a', item('a', big))).toMatchObject({ applied: true });
      expect((await store.get(features, 'a'))?.version).toBe(big);
      expect(await store.upsert(features, 'a', item('a', big - 1))).toMatchObject({
        applied: false,
      });
    });

    it('compares versions as numbers, not as strings', async () => {
      const store = await open();
      await store.upsert(features, 'a', item('a', 9));
      expect(await store.upsert(features, 'a', item('a', 10))).toMatchObject({ applied: true });
      expect(await store.upsert(features, 'a', item('a', 9))).toMatchObject({ applied: false });
    });
  });

  describe('delete', () => {
    it('applies a newer tombstone, and get returns the tombstone', async () => {
      const store = await open();
      await store.init([{ kind: features, items: [['a', item('a', 1)]] }]);
      expect(await store.upsert(features, 'a', tombstone('a', 2))).toMatchObject({ applied: true });
      expect(await store.get(features, 'a')).toEqual(tombstone('a', 2));
    });

    it('rejects an older tombstone', async () => {
      const store = await open();
      await store.init([{ kind: features, items: [['a', item('a', 5)]] }]);
      expect(await store.upsert(features, 'a', tombstone('a', 4))).toMatchObject({
        applied: false,
        current: item('a', 5),
      });
      expect(await store.get(features, 'a')).toEqual(item('a', 5));
    });

    it('rejects a tombstone of the same version', async () => {
      const store = await open();
      await store.init([{ kind: features, items: [['a', item('a', 5)]] }]);
      expect(await store.upsert(features, 'a', tombstone('a', 5))).toMatchObject({
        applied: false,
      });
      expect((await store.get(features, 'a'))?.deleted).toBe(false);
    });

    it('stores a tombstone for an unknown key', async () => {
      const store = await open();
      await store.init([{ kind: features, items: [] }]);
      expect(await store.upsert(features, 'never', tombstone('never', 3))).toMatchObject({
        applied: true,
      });
      expect(await store.get(features, 'never')).toMatchObject({ version: 3, deleted: true });
    });

    it('rejects an older upsert after a delete: no resurrection', async () => {
      const store = await open();
      await store.init([{ kind: features, items: [['a', item('a', 1)]] }]);
      await store.upsert(features, 'a', tombstone('a', 3));
      const result = await store.upsert(features, 'a', item('a', 2));
      expect(result).toMatchObject({ applied: false, current: { version: 3, deleted: true } });
      expect(await store.upsert(features, 'a', item('a', 3))).toMatchObject({ applied: false });
      expect(await store.get(features, 'a')).toMatchObject({ version: 3, deleted: true });
    });

    it('applies a newer upsert after a delete', async () => {
      const store = await open();
      await store.upsert(features, 'a', tombstone('a', 3, false));
      expect(await store.upsert(features, 'a', item('a', 4))).toMatchObject({ applied: true });
      expect(await store.get(features, 'a')).toEqual(item('a', 4));
    });

    it('rejects an older tombstone over a tombstone', async () => {
      const store = await open();
      await store.upsert(features, 'a', tombstone('a', 5));
      expect(await store.upsert(features, 'a', tombstone('a', 4))).toMatchObject({
        applied: false,
      });
      expect((await store.get(features, 'a'))?.version).toBe(5);
    });
  });
}
