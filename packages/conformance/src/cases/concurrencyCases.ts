import type { UpsertReadWriteHook } from '@stowage/core/driver';
import { describe, expect, it } from 'vitest';
import { features, item, shuffled } from '../fixtures.js';
import type { SuiteContext } from '../SuiteContext.js';

const WRITES = 60;

/** Un-awaited writers on one key, and (where the driver supports it) writes between read and write. */
export function concurrencyCases({ open, newPrefix, target }: SuiteContext): void {
  describe('concurrency', () => {
    it('two un-awaited upserts, newer first, end with the newer', async () => {
      const store = await open();
      const newer = store.upsert(features, 'a', item('a', 12));
      const older = store.upsert(features, 'a', item('a', 11));
      expect(await Promise.all([newer, older])).toMatchObject([
        { applied: true },
        { applied: false },
      ]);
      expect((await store.get(features, 'a'))?.version).toBe(12);
    });

    it('many un-awaited upserts from one instance: the highest version wins', async () => {
      const prefix = newPrefix();
      const store = await open(prefix);
      const versions = shuffled(
        Array.from({ length: WRITES }, (_, i) => i + 1),
        7,
      );
      const results = await Promise.all(
        versions.map((v) => store.upsert(features, 'k', item('k', v))),
      );
      expect(results[versions.indexOf(WRITES)]?.applied).toBe(true);
      expect((await (await open(prefix)).get(features, 'k'))?.version).toBe(WRITES);
    });

    it('many un-awaited upserts from two instances: the highest version wins', async () => {
      const prefix = newPrefix();
      const [one, two] = [await open(prefix), await open(prefix)];
      const versions = shuffled(
        Array.from({ length: WRITES }, (_, i) => i + 1),
        11,
      );
      await Promise.all(
        versions.map((v, i) => (i % 2 === 0 ? one : two).upsert(features, 'k', item('k', v))),
      );
      expect((await (await open(prefix)).get(features, 'k'))?.version).toBe(WRITES);
    });

    it('many un-awaited upserts on many keys from two instances: no update is lost', async () => {
      const prefix = newPrefix();
      const [one, two] = [await open(prefix), await open(prefix)];
      const writes = shuffled(
        Array.from({ length: 200 }, (_, i) => [`key-${i % 10}`, Math.floor(i / 10) + 1] as const),
        3,
      );
      await Promise.all(
        writes.map(([key, v], i) => (i % 2 === 0 ? one : two).upsert(features, key, item(key, v))),
      );
      const all = await (await open(prefix)).getAll(features);
      expect(all.size).toBe(10);
      for (const descriptor of all.values()) expect(descriptor.version).toBe(20);
    });

    if (!target.supportsUpsertHook) return;

    describe('between the read and the write of an upsert', () => {
      // Writes `version` from another instance once, during the first attempt only.
      const writeOnce = (
        prefix: string,
        version: number,
      ): UpsertReadWriteHook & { calls: number } => {
        const hook = Object.assign(
          async ({ attempt }: { attempt: number }) => {
            hook.calls += 1;
            if (attempt !== 1) return;
            const other = await open(prefix);
            expect(await other.upsert(features, 'k', item('k', version))).toMatchObject({
              applied: true,
            });
          },
          { calls: 0 },
        );
        return hook;
      };

      it('a lower version written by another instance loses, after a retry', async () => {
        const prefix = newPrefix();
        await (await open(prefix)).upsert(features, 'k', item('k', 1));
        const hook = writeOnce(prefix, 5);
        const store = await open(prefix, hook);
        expect(await store.upsert(features, 'k', item('k', 10))).toMatchObject({ applied: true });
        expect(hook.calls).toBeGreaterThanOrEqual(2);
        expect((await (await open(prefix)).get(features, 'k'))?.version).toBe(10);
      });

      it('a higher version written by another instance wins, and the caller is told', async () => {
        const prefix = newPrefix();
        await (await open(prefix)).upsert(features, 'k', item('k', 1));
        const hook = writeOnce(prefix, 20);
        const store = await open(prefix, hook);
        const result = await store.upsert(features, 'k', item('k', 10));
        expect(result).toMatchObject({ applied: false, current: item('k', 20) });
        expect(hook.calls).toBeGreaterThanOrEqual(2);
        expect((await (await open(prefix)).get(features, 'k'))?.version).toBe(20);
      });

      it('a write to a new key by another instance is seen by the retry', async () => {
        const prefix = newPrefix();
        const hook = writeOnce(prefix, 20);
        const store = await open(prefix, hook);
        expect(await store.upsert(features, 'k', item('k', 10))).toMatchObject({
          applied: false,
          current: { version: 20 },
        });
      });

      it('a writer that always interferes ends in a typed conflict, not a loop or a false success', async () => {
        const prefix = newPrefix();
        await (await open(prefix)).upsert(features, 'k', item('k', 1));
        let version = 1;
        const other = await open(prefix);
        const store = await open(prefix, async () => {
          version += 1;
          await other.upsert(features, 'k', item('k', version));
        });
        const error = await store.upsert(features, 'k', item('k', 1_000_000)).then(
          () => undefined,
          (reason: unknown) => reason,
        );
        expect((error as { code?: unknown }).code).toBe('conflict');
        expect((await other.get(features, 'k'))?.version).toBe(version);
      });
    });
  });
}
