import { MAX_KEY_BYTES, type SerializedItemDescriptor } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import { expectCode, features, item, versionsOf } from '../fixtures.js';
import type { SuiteContext } from '../SuiteContext.js';

const badKinds: ReadonlyArray<[string, unknown]> = [
  ['empty namespace', { namespace: '' }],
  ['colon', { namespace: 'a:b' }],
  ['the marker', { namespace: '$inited' }],
  ['braces', { namespace: '{tag}' }],
  ['space', { namespace: 'has space' }],
  ['too long', { namespace: 'x'.repeat(201) }],
  ['not a string', { namespace: 42 }],
  ['null', null],
];

const badKeys: ReadonlyArray<[string, unknown]> = [
  ['empty', ''],
  ['lone high surrogate', 'a\uD800'],
  ['lone low surrogate', '\uDC00b'],
  ['a number', 5],
  ['undefined', undefined],
  ['one byte over the limit', `${'é'.repeat(MAX_KEY_BYTES / 2)}a`],
];

const body = (fields: object) => JSON.stringify({ key: 'k', ...fields });

const badDescriptors: ReadonlyArray<[string, unknown]> = [
  ['negative version', { version: -1, deleted: false, serializedItem: body({ version: -1 }) }],
  ['fractional version', { version: 1.5, deleted: false, serializedItem: body({ version: 1.5 }) }],
  ['NaN version', { version: Number.NaN, deleted: false, serializedItem: body({}) }],
  [
    'infinite version',
    { version: Number.POSITIVE_INFINITY, deleted: false, serializedItem: body({}) },
  ],
  ['version as a string', { version: '3', deleted: false, serializedItem: body({ version: '3' }) }],
  [
    'unsafe integer version',
    { version: 2 ** 53, deleted: false, serializedItem: body({ version: 2 ** 53 }) },
  ],
  ['deleted not a boolean', { version: 1, deleted: 'no', serializedItem: body({ version: 1 }) }],
  ['live item without a body', { version: 1, deleted: false }],
  ['body not a string', { version: 1, deleted: false, serializedItem: { version: 1 } }],
  ['not an object', 'v1'],
];

const disagreeingBodies: ReadonlyArray<[string, SerializedItemDescriptor]> = [
  ['body version differs', { version: 2, deleted: false, serializedItem: body({ version: 1 }) }],
  ['body without a version', { version: 2, deleted: false, serializedItem: body({}) }],
  ['body not JSON', { version: 2, deleted: false, serializedItem: '{"version":2' }],
  ['body a JSON array', { version: 2, deleted: false, serializedItem: '[2]' }],
  [
    'tombstone body without deleted',
    { version: 2, deleted: true, serializedItem: body({ version: 2 }) },
  ],
  [
    'live body that says deleted',
    { version: 2, deleted: false, serializedItem: body({ version: 2, deleted: true }) },
  ],
];

/** Invalid input is refused with the same typed error by every driver, and changes nothing. */
export function validationCases({ open }: SuiteContext): void {
  describe('validation', () => {
    it.each(badKinds)('refuses a kind with %s on every operation', async (_, kind) => {
      const store = await open();
      const k = kind as typeof features;
      await expectCode(store.get(k, 'a'), 'invalid-kind');
      await expectCode(store.getAll(k), 'invalid-kind');
      await expectCode(store.upsert(k, 'a', item('a', 1)), 'invalid-kind');
      await expectCode(store.init([{ kind: k, items: [] }]), 'invalid-kind');
      expect(await store.isInitialized()).toBe(false);
    });

    it.each(badKeys)('refuses a key that is %s', async (_, key) => {
      const store = await open();
      await expectCode(store.get(features, key as string), 'invalid-key');
      await expectCode(store.upsert(features, key as string, item('k', 1)), 'invalid-key');
      await expectCode(
        store.init([{ kind: features, items: [[key as string, item('k', 1)]] }]),
        'invalid-key',
      );
      expect((await store.getAll(features)).size).toBe(0);
    });

    it.each(badDescriptors)('refuses a descriptor with %s', async (_, descriptor) => {
      const store = await open();
      const d = descriptor as SerializedItemDescriptor;
      await expectCode(store.upsert(features, 'k', d), 'invalid-descriptor');
      await expectCode(store.init([{ kind: features, items: [['k', d]] }]), 'invalid-descriptor');
      expect((await store.getAll(features)).size).toBe(0);
      expect(await store.isInitialized()).toBe(false);
    });

    it.each(disagreeingBodies)('refuses an upsert whose %s', async (_, descriptor) => {
      const store = await open();
      await store.upsert(features, 'k', item('k', 1));
      await expectCode(store.upsert(features, 'k', descriptor), 'invalid-descriptor');
      expect(await store.get(features, 'k')).toEqual(item('k', 1));
    });

    it('refuses a malformed data set as a whole, keeping what was stored', async () => {
      const store = await open();
      await store.init([{ kind: features, items: [['a', item('a', 1)]] }]);
      await expectCode(
        store.init([
          {
            kind: features,
            items: [
              ['b', item('b', 1)],
              ['', item('c', 1)],
            ],
          },
        ]),
        'invalid-key',
      );
      await expectCode(store.init('nope' as never), 'invalid-descriptor');
      await expectCode(
        store.init([{ kind: features, items: 'nope' } as never]),
        'invalid-descriptor',
      );
      expect(await versionsOf(store, features)).toEqual({ a: 1 });
    });
  });
}
