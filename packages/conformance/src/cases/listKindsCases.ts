import { describe, expect, it } from 'vitest';
import { features, item, segments, tombstone } from '../fixtures.js';
import type { SuiteContext } from '../SuiteContext.js';

const SKIP = 'listKinds is an optional capability the driver does not offer';

/** The optional `listKinds()`: the kinds holding items under the prefix, and nothing else. */
export function listKindsCases({ open, newPrefix }: SuiteContext): void {
  describe('listKinds', () => {
    it('lists nothing for a fresh prefix, even once initialized empty', async ({ skip }) => {
      const store = await open();
      if (store.listKinds === undefined) return skip(SKIP);
      expect(await store.listKinds()).toEqual([]);
      await store.init([{ kind: features, items: [] }]);
      expect(await store.listKinds()).toEqual([]);
    });

    it('lists the kinds holding items or tombstones, sorted, seen by another instance', async ({
      skip,
    }) => {
      const prefix = newPrefix();
      const writer = await open(prefix);
      if (writer.listKinds === undefined) return skip(SKIP);
      const reader = await open(prefix);
      await writer.init([{ kind: segments, items: [['s', item('s', 1)]] }]);
      await writer.upsert(features, 'gone', tombstone('gone', 2, false));
      await writer.upsert({ namespace: 'a.kind-with_marks' }, 'k', item('k', 1));
      expect(await reader.listKinds?.()).toEqual([
        { namespace: 'a.kind-with_marks' },
        features,
        segments,
      ]);
    });

    it("never lists another prefix's kinds, nested or not", async ({ skip }) => {
      const base = newPrefix();
      const outer = await open(base);
      if (outer.listKinds === undefined) return skip(SKIP);
      const nested = await open(`${base}:x`);
      const sibling = await open(`${base}x`);
      await nested.upsert(features, 'n', item('n', 1));
      await sibling.upsert(segments, 's', item('s', 1));
      expect(await outer.listKinds()).toEqual([]);
      await outer.upsert(segments, 'o', item('o', 1));
      expect(await outer.listKinds()).toEqual([segments]);
      expect(await nested.listKinds?.()).toEqual([features]);
    });
  });
}
