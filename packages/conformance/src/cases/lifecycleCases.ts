import { describe, expect, it } from 'vitest';
import { expectCode, features, item } from '../fixtures.js';
import type { SuiteContext } from '../SuiteContext.js';

/** isAvailable on a healthy store, and close. */
export function lifecycleCases({ open, newPrefix }: SuiteContext): void {
  describe('availability and close', () => {
    it('is available when healthy', async () => {
      const store = await open();
      expect(await store.isAvailable()).toBe(true);
    });

    it('rejects every operation with a closed error after close', async () => {
      const store = await open();
      await store.upsert(features, 'a', item('a', 1));
      await store.close();
      await expectCode(store.init([]), 'closed');
      await expectCode(store.get(features, 'a'), 'closed');
      await expectCode(store.getAll(features), 'closed');
      await expectCode(store.upsert(features, 'a', item('a', 2)), 'closed');
      await expectCode(store.isInitialized(), 'closed');
      expect(await store.isAvailable()).toBe(false);
    });

    it('can be closed twice', async () => {
      const store = await open();
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
    });

    it('closing one instance leaves another on the same prefix working', async () => {
      const prefix = newPrefix();
      const one = await open(prefix);
      const two = await open(prefix);
      await one.upsert(features, 'a', item('a', 1));
      await one.close();
      expect((await two.get(features, 'a'))?.version).toBe(1);
      expect(await two.isAvailable()).toBe(true);
    });
  });
}
