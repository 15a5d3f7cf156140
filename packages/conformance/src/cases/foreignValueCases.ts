import { StowageSerializationError } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import { expectCode, features, item } from '../fixtures.js';
import type { SuiteContext } from '../SuiteContext.js';

const corruptValues: ReadonlyArray<[string, string]> = [
  ['not JSON', 'not json at all'],
  ['truncated JSON', '{"key":"k","version":3'],
  ['a JSON array', '[3]'],
  ['a JSON string', '"v3"'],
  ['no version', '{"key":"k"}'],
  ['a string version', '{"key":"k","version":"3"}'],
  ['a negative version', '{"key":"k","version":-1}'],
  ['a fractional version', '{"key":"k","version":2.5}'],
  ['a non-boolean deleted', '{"key":"k","version":3,"deleted":"yes"}'],
];

/** Values written by other writers of the schema, valid or corrupt. */
export function foreignValueCases({ open, newPrefix, target }: SuiteContext): void {
  const writeRaw = target.writeRaw;
  if (writeRaw === undefined) return;

  describe('values written by others', () => {
    it('reads the true version and deleted flag of a foreign value, body verbatim', async () => {
      const prefix = newPrefix();
      const store = await open(prefix);
      const live = '{"key":"a","version":4,"on":true,"rules":[],"extra":{"x":1}}';
      const gone = '{"deleted":true,"version":9,"key":"b"}';
      await writeRaw(prefix, features, 'a', live);
      await writeRaw(prefix, features, 'b', gone);
      expect(await store.get(features, 'a')).toEqual({
        version: 4,
        deleted: false,
        serializedItem: live,
      });
      expect(await store.get(features, 'b')).toEqual({
        version: 9,
        deleted: true,
        serializedItem: gone,
      });
      expect(await store.upsert(features, 'b', item('b', 9))).toMatchObject({ applied: false });
      expect(await store.upsert(features, 'a', item('a', 5))).toMatchObject({ applied: true });
    });

    describe.each(corruptValues)('a stored value that is %s', (_, raw) => {
      it('makes get fail with a serialization error naming kind and key', async () => {
        const prefix = newPrefix();
        const store = await open(prefix);
        await writeRaw(prefix, features, 'bad', raw);
        const error = await expectCode(store.get(features, 'bad'), 'serialization');
        expect(StowageSerializationError.is(error)).toBe(true);
        expect(error).toMatchObject({ kind: 'features', keys: ['bad'] });
      });

      it('makes getAll fail naming the key, carrying the items that parsed', async () => {
        const prefix = newPrefix();
        const store = await open(prefix);
        await store.upsert(features, 'good', item('good', 1));
        await writeRaw(prefix, features, 'bad', raw);
        const error = (await expectCode(
          store.getAll(features),
          'serialization',
        )) as StowageSerializationError;
        expect(error.keys).toEqual(['bad']);
        expect(error.kind).toBe('features');
        expect([...error.parsed.keys()]).toEqual(['good']);
        expect(error.parsed.get('good')).toEqual(item('good', 1));
      });

      it('is never overwritten by an upsert, and leaves other items alone', async () => {
        const prefix = newPrefix();
        const store = await open(prefix);
        await store.upsert(features, 'good', item('good', 1));
        await writeRaw(prefix, features, 'bad', raw);
        await expectCode(store.upsert(features, 'bad', item('bad', 1_000)), 'serialization');
        await expectCode(store.get(features, 'bad'), 'serialization');
        expect(await store.get(features, 'good')).toEqual(item('good', 1));
        expect(await store.upsert(features, 'good', item('good', 2))).toMatchObject({
          applied: true,
        });
      });
    });

    it('names every corrupt key of a kind at once', async () => {
      const prefix = newPrefix();
      const store = await open(prefix);
      await writeRaw(prefix, features, 'x', 'nope');
      await writeRaw(prefix, features, 'y', '{}');
      const error = (await expectCode(
        store.getAll(features),
        'serialization',
      )) as StowageSerializationError;
      expect([...error.keys].sort()).toEqual(['x', 'y']);
    });
  });
}
