import type { SerializedItemDescriptor } from '@stowage/core';
import { MAX_KEY_BYTES } from '@stowage/core/driver';
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
  [
    'body deleted not a boolean',
    { version: 2, deleted: false, serializedItem: body({ version: 2, deleted: 'yes' }) },
  ],
  [
    'tombstone body deleted not a boolean',
    { version: 2, deleted: true, serializedItem: body({ version: 2, deleted: 'true' }) },
  ],
  ['body version a string', { version: 2, deleted: false, serializedItem: body({ version: '2' }) }],
  [
    'body version fractional',
    { version: 2, deleted: false, serializedItem: body({ version: 2.5 }) },
  ],
  ['body JSON null', { version: 2, deleted: false, serializedItem: 'null' }],
  ['body a JSON string', { version: 2, deleted: false, serializedItem: '"v2"' }],
];

/** Invalid input is refused with the same typed error by every driver, and changes nothing. */
export function validationCases({ open, newPrefix }: SuiteContext): void {
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

    it.each(disagreeingBodies)(
      'refuses an init whose %s, storing nothing of it',
      async (_, descriptor) => {
        const store = await open();
        await expectCode(
          store.init([{ kind: features, items: [['k', descriptor]] }]),
          'invalid-descriptor',
        );
        expect(await store.isInitialized()).toBe(false);
        expect((await store.getAll(features)).size).toBe(0);
        await store.init([{ kind: features, items: [['a', item('a', 1)]] }]);
        await expectCode(
          store.init([
            {
              kind: features,
              items: [
                ['b', item('b', 1)],
                ['k', descriptor],
              ],
            },
          ]),
          'invalid-descriptor',
        );
        expect(await versionsOf(store, features)).toEqual({ a: 1 });
      },
    );

    it('accepts only writes that another instance reads back as they were given', async () => {
      const prefix = newPrefix();
      const writer = await open(prefix);
      const given: Array<[string, SerializedItemDescriptor]> = [
        ['plain', item('plain', 3)],
        [
          'null-deleted',
          { version: 4, deleted: false, serializedItem: body({ version: 4, deleted: null }) },
        ],
        ['tombstone', { version: 5, deleted: true }],
        [
          'tombstone-body',
          { version: 6, deleted: true, serializedItem: body({ version: 6, deleted: true }) },
        ],
      ];
      const readsBack = async (expected: ReadonlyArray<[string, SerializedItemDescriptor]>) => {
        // A store of its own, so that no cache of the writer's can answer for the backend.
        const reader = await open(prefix);
        const all = await reader.getAll(features);
        for (const [key, { version, deleted }] of expected) {
          expect(await reader.get(features, key)).toMatchObject({ version, deleted });
          expect(all.get(key)).toMatchObject({ version, deleted });
        }
      };
      await writer.init([{ kind: features, items: given }]);
      await readsBack(given);
      const newer = given.map(([key, { version, deleted, serializedItem }]) => {
        const next = version + 10;
        const body = serializedItem?.replace(`"version":${version}`, `"version":${next}`);
        return [key, { version: next, deleted, serializedItem: body }] as [
          string,
          SerializedItemDescriptor,
        ];
      });
      for (const [key, descriptor] of newer) {
        expect(await writer.upsert(features, key, descriptor)).toEqual({ applied: true });
      }
      await readsBack(newer);
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
