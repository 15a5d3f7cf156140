import { MAX_KEY_BYTES } from '@stowage/core/driver';
import { describe, expect, it } from 'vitest';
import { features, item, segments, tombstone, versionsOf } from '../fixtures.js';
import type { SuiteContext } from '../SuiteContext.js';

// Keys the store must never interpret: separators, hash tags, markers, whitespace, unicode,
// control characters and NUL.
const oddKeys = [
  'with:colons:inside',
  '{hash}tag',
  '$inited',
  'a key with spaces',
  'ünïcødé-🚩',
  'tab\tnewline\ncarriage\r',
  'nul\u0000inside',
  '*?[]',
  '-',
];

/** get and getAll. */
export function readCases({ open }: SuiteContext): void {
  describe('get', () => {
    it('round-trips an item byte for byte', async () => {
      const store = await open();
      // Spacing, key order, escapes and number forms that a re-encoder would change.
      const body =
        '{ "version":7, "key":"k",\n "slash":"a\\/b", "e":"\\u00e9", "n":1.50, "arr":[] }';
      await store.init([
        { kind: features, items: [['k', { version: 7, deleted: false, serializedItem: body }]] },
      ]);
      expect(await store.get(features, 'k')).toEqual({
        version: 7,
        deleted: false,
        serializedItem: body,
      });
    });

    it('round-trips an upserted item byte for byte', async () => {
      const store = await open();
      const body = '{"key":"k","version":2,"value":"ünï 🚩","nested":{"z":1,"a":[1,2]}}';
      await store.upsert(features, 'k', { version: 2, deleted: false, serializedItem: body });
      expect(await store.get(features, 'k')).toEqual({
        version: 2,
        deleted: false,
        serializedItem: body,
      });
    });

    it('answers undefined for a missing item', async () => {
      const store = await open();
      await store.init([{ kind: features, items: [['a', item('a', 1)]] }]);
      expect(await store.get(features, 'missing')).toBeUndefined();
    });

    it('answers undefined for an unknown kind', async () => {
      const store = await open();
      expect(await store.get({ namespace: 'never-written' }, 'a')).toBeUndefined();
    });

    it('returns tombstones with their version', async () => {
      const store = await open();
      await store.upsert(features, 'gone', tombstone('gone', 5));
      expect(await store.get(features, 'gone')).toMatchObject({ version: 5, deleted: true });
    });

    it('stores a tombstone given without a body in the schema form', async () => {
      const store = await open();
      await store.upsert(features, 'gone', tombstone('gone', 5, false));
      expect(await store.get(features, 'gone')).toEqual({
        version: 5,
        deleted: true,
        serializedItem: '{"key":"gone","version":5,"deleted":true}',
      });
    });

    it.each(oddKeys.map((key) => [JSON.stringify(key), key]))(
      'keeps the odd key %s exactly',
      async (_, key) => {
        const store = await open();
        await store.upsert(features, key as string, item(key as string, 1));
        expect((await store.get(features, key as string))?.version).toBe(1);
        expect([...(await store.getAll(features)).keys()]).toEqual([key]);
      },
    );

    it('keeps odd keys apart from each other through init', async () => {
      const store = await open();
      await store.init([
        { kind: features, items: oddKeys.map((key, i) => [key, item(key, i + 1)] as const) },
      ]);
      const all = await store.getAll(features);
      expect(all.size).toBe(oddKeys.length);
      oddKeys.forEach((key, i) => {
        expect(all.get(key)?.version).toBe(i + 1);
      });
    });

    it('accepts a key of exactly the byte limit', async () => {
      const store = await open();
      // Two-byte characters, so a limit counted in characters instead of bytes fails here.
      const key = 'é'.repeat(MAX_KEY_BYTES / 2);
      await store.upsert(features, key, item('long', 1));
      expect((await store.get(features, key))?.version).toBe(1);
    });
  });

  describe('getAll', () => {
    it('is empty after an empty init', async () => {
      const store = await open();
      await store.init([{ kind: features, items: [] }]);
      expect((await store.getAll(features)).size).toBe(0);
    });

    it('is empty for an unknown kind', async () => {
      const store = await open();
      expect((await store.getAll({ namespace: 'never-written' })).size).toBe(0);
    });

    it('counts items per kind', async () => {
      const store = await open();
      await store.init([
        {
          kind: features,
          items: [
            ['a', item('a', 1)],
            ['b', item('b', 1)],
            ['c', item('c', 1)],
          ],
        },
        { kind: segments, items: [['s', item('s', 1)]] },
      ]);
      expect((await store.getAll(features)).size).toBe(3);
      expect((await store.getAll(segments)).size).toBe(1);
    });

    it('includes tombstones', async () => {
      const store = await open();
      await store.init([
        {
          kind: features,
          items: [
            ['a', item('a', 1)],
            ['b', tombstone('b', 2)],
          ],
        },
      ]);
      await store.upsert(features, 'c', tombstone('c', 3, false));
      const all = await store.getAll(features);
      expect(all.get('b')).toMatchObject({ version: 2, deleted: true });
      expect(all.get('c')).toMatchObject({ version: 3, deleted: true });
      expect(await versionsOf(store, features)).toEqual({ a: 1, b: 2, c: 3 });
    });

    it('returns the same descriptors as get', async () => {
      const store = await open();
      await store.init([
        {
          kind: features,
          items: [
            ['a', item('a', 1)],
            ['b', tombstone('b', 2, false)],
          ],
        },
      ]);
      const all = await store.getAll(features);
      expect(all.get('a')).toEqual(await store.get(features, 'a'));
      expect(all.get('b')).toEqual(await store.get(features, 'b'));
    });

    it('handles a kind of a few thousand items', async () => {
      const store = await open();
      const items = Array.from(
        { length: 3000 },
        (_, i) => [`key-${i}`, item(`key-${i}`, i)] as const,
      );
      await store.init([{ kind: features, items }]);
      const all = await store.getAll(features);
      expect(all.size).toBe(3000);
      expect(all.get('key-2999')?.version).toBe(2999);
    });
  });
}
