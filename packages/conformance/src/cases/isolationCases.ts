import { describe, expect, it } from 'vitest';
import { features, item, versionsOf } from '../fixtures.js';
import type { SuiteContext } from '../SuiteContext.js';

// Mutates what a caller holds; a frozen object throws instead, which is just as safe.
function tryMutate(mutate: () => void): void {
  try {
    mutate();
  } catch {
    // Frozen: nothing could change.
  }
}

/** What a caller holds is a copy: changing it changes nothing stored. */
export function isolationCases({ open }: SuiteContext): void {
  describe('isolation', () => {
    it('changing a descriptor after upsert changes nothing stored', async () => {
      const store = await open();
      const descriptor = { ...item('a', 1) };
      await store.upsert(features, 'a', descriptor);
      tryMutate(() => {
        Object.assign(descriptor, { version: 99, serializedItem: '{"version":99}' });
      });
      expect(await store.get(features, 'a')).toEqual(item('a', 1));
    });

    it('changing what get returned changes nothing stored', async () => {
      const store = await open();
      await store.upsert(features, 'a', item('a', 1));
      const got = await store.get(features, 'a');
      tryMutate(() => {
        Object.assign(got ?? {}, { version: 99, deleted: true });
      });
      expect(await store.get(features, 'a')).toEqual(item('a', 1));
    });

    it('changing what getAll returned changes nothing stored', async () => {
      const store = await open();
      await store.init([{ kind: features, items: [['a', item('a', 1)]] }]);
      const all = await store.getAll(features);
      tryMutate(() => (all as Map<string, unknown>).set('b', item('b', 1)));
      tryMutate(() => (all as Map<string, unknown>).delete('a'));
      tryMutate(() => Object.assign(all.get('a') ?? {}, { version: 99 }));
      expect(await versionsOf(store, features)).toEqual({ a: 1 });
    });

    it('changing the data set after init changes nothing stored', async () => {
      const store = await open();
      const items: Array<[string, ReturnType<typeof item>]> = [['a', item('a', 1)]];
      const descriptor = items[0]?.[1];
      await store.init([{ kind: features, items }]);
      items.push(['b', item('b', 1)]);
      tryMutate(() => Object.assign(descriptor ?? {}, { version: 50 }));
      expect(await versionsOf(store, features)).toEqual({ a: 1 });
    });
  });
}
