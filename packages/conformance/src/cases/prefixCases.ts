import { describe, expect, it } from 'vitest';
import { features, item, versionsOf } from '../fixtures.js';
import type { SuiteContext } from '../SuiteContext.js';

/** Two prefixes on one backend are fully independent. */
export function prefixCases({ open, newPrefix }: SuiteContext): void {
  describe('prefixes', () => {
    it('init of one prefix does not initialize another', async () => {
      const one = await open();
      const other = await open();
      await one.init([{ kind: features, items: [['a', item('a', 1)]] }]);
      expect(await other.isInitialized()).toBe(false);
      expect((await other.getAll(features)).size).toBe(0);
    });

    it('keeps the same keys under two prefixes apart', async () => {
      const one = await open();
      const other = await open();
      await one.upsert(features, 'a', item('a', 5, { owner: 'one' }));
      await other.upsert(features, 'a', item('a', 1, { owner: 'other' }));
      expect(await one.get(features, 'a')).toEqual(item('a', 5, { owner: 'one' }));
      expect(await other.get(features, 'a')).toEqual(item('a', 1, { owner: 'other' }));
    });

    it('checks versions only against its own prefix', async () => {
      const one = await open();
      const other = await open();
      await one.init([{ kind: features, items: [['a', item('a', 10)]] }]);
      expect(await other.upsert(features, 'a', item('a', 1))).toMatchObject({ applied: true });
      expect((await one.get(features, 'a'))?.version).toBe(10);
    });

    it('init of one prefix leaves a prefix that extends it alone', async () => {
      const base = newPrefix();
      const outer = await open(base);
      // `base:features` would be the hash of kind `features` under `base`: the nested prefix must
      // not collide with it.
      const nested = await open(`${base}:features`);
      await nested.init([{ kind: features, items: [['n', item('n', 1)]] }]);
      await outer.init([{ kind: features, items: [['o', item('o', 1)]] }]);
      expect(await versionsOf(nested, features)).toEqual({ n: 1 });
      expect(await versionsOf(outer, features)).toEqual({ o: 1 });
    });
  });
}
