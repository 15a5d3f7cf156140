import type { PersistentDataStore } from '@stowage/core';
import { describe, expect } from 'vitest';
import { createFeedCaseKit } from '../feedCaseKit.js';
import type { FeedRecording } from '../feedRecording.js';
import { features, item, segments, shuffled, tombstone } from '../fixtures.js';
import type { SuiteContext } from '../SuiteContext.js';
import { feedLifecycleCases } from './feedLifecycleCases.js';

const WRITES = 60;

/** The upsert events of a recording as `kind/key: [version, deleted]` lists, in arrival order. */
function perKey(recording: FeedRecording): Record<string, Array<[number, boolean]>> {
  const result: Record<string, Array<[number, boolean]>> = {};
  for (const e of recording.upserts()) {
    const key = `${e.kind.namespace}/${e.key}`;
    result[key] ??= [];
    result[key].push([e.version, e.deleted]);
  }
  return result;
}

/**
 * The optional change feed: every applied write of any instance on the prefix, in write order
 * per key, with its version; nothing for a rejected write, another prefix, or after `close()`.
 * Skipped, with the reason, for a driver without `changeFeed`.
 */
export function feedCases(context: SuiteContext): void {
  const { open } = context;
  describe('change feed', () => {
    const kit = createFeedCaseKit(context);
    const { feedCase, listen, wait } = kit;

    // Items and tombstones (with and without a body) over two kinds, a key written three times.
    const writeAndSee = async (writer: PersistentDataStore, recording: FeedRecording) => {
      await writer.upsert(features, 'a', item('a', 1));
      await writer.upsert(features, 'a', item('a', 3));
      await writer.upsert(segments, 'b', tombstone('b', 2));
      await writer.upsert(segments, 'c', tombstone('c', 4, false));
      await writer.upsert(features, 'a', tombstone('a', 5));
      await wait.forUpsert(recording, 'a', 5);
      await wait.forUpsert(recording, 'c', 4);
      expect(perKey(recording)).toEqual({
        'features/a': [
          [1, false],
          [3, false],
          [5, true],
        ],
        'segments/b': [[2, true]],
        'segments/c': [[4, true]],
      });
    };

    feedCase(
      'own writes emit upsert events with their versions and deleted flags, tombstones too',
      async (_prefix, store) => {
        const mine = await listen(store);
        await writeAndSee(store, mine);
        for (const event of mine.upserts()) expect(event.own, 'own write').not.toBe(false);
      },
    );

    feedCase(
      'another instance on the prefix sees the writes, not as its own',
      async (prefix, writer) => {
        const theirs = await listen(await open(prefix));
        await writeAndSee(writer, theirs);
        for (const event of theirs.upserts()) expect(event.own, "another's write").not.toBe(true);
      },
    );

    feedCase('a rejected upsert emits nothing', async (prefix, writer) => {
      const recordings = [await listen(writer), await listen(await open(prefix))];
      await writer.upsert(features, 'a', item('a', 2));
      expect(await writer.upsert(features, 'a', item('a', 2))).toMatchObject({ applied: false });
      expect(await writer.upsert(features, 'a', item('a', 1))).toMatchObject({ applied: false });
      expect(await writer.upsert(features, 'a', tombstone('a', 1))).toMatchObject({
        applied: false,
      });
      // Per key, events arrive in write order: once v3 is seen, a rejected write's would be too.
      await writer.upsert(features, 'a', item('a', 3));
      for (const recording of recordings) {
        await wait.forUpsert(recording, 'a', 3);
        expect(perKey(recording)).toEqual({
          'features/a': [
            [2, false],
            [3, false],
          ],
        });
      }
    });

    feedCase(
      'init emits one init event per kind given, and none per item',
      async (prefix, writer) => {
        const [mine, theirs] = [await listen(writer), await listen(await open(prefix))];
        await writer.init([
          { kind: features, items: [['a', item('a', 1)]] },
          { kind: segments, items: [] },
        ]);
        await writer.upsert(features, 'z', item('z', 1));
        for (const recording of [mine, theirs]) {
          await wait.forUpsert(recording, 'z', 1);
          const kinds = recording.inits().map((e) => e.kind.namespace);
          expect(kinds.sort()).toEqual(['features', 'segments']);
          expect(perKey(recording)).toEqual({ 'features/z': [[1, false]] });
        }
        for (const event of mine.inits()) expect(event.own, 'own init').not.toBe(false);
        for (const event of theirs.inits()) expect(event.own, "another's init").not.toBe(true);
      },
    );

    feedCase(
      'per key, concurrent writers on two instances: versions strictly increase and end at the stored one',
      async (prefix, one) => {
        const two = await open(prefix);
        const recordings = [await listen(one), await listen(two)];
        const versions = shuffled(
          Array.from({ length: WRITES }, (_, i) => i + 1),
          13,
        );
        const results = await Promise.all(
          versions.map((v, i) => (i % 2 === 0 ? one : two).upsert(features, 'k', item('k', v))),
        );
        const applied = versions.filter((_, i) => results[i]?.applied).sort((x, y) => x - y);
        const stored = (await one.get(features, 'k'))?.version ?? -1;
        expect(stored).toBe(WRITES);
        for (const recording of recordings) {
          await wait.forUpsert(recording, 'k', stored);
          const seen = recording.upserts().map((e) => e.version);
          for (let i = 1; i < seen.length; i++) {
            expect(seen[i], `event ${i} of ${JSON.stringify(seen)}`).toBeGreaterThan(
              seen[i - 1] ?? -1,
            );
          }
          expect(seen.at(-1)).toBe(stored);
          expect(seen, 'one event per applied write').toEqual(applied);
        }
      },
    );

    feedCase(
      'never delivers the events of another prefix, nested or sibling',
      async (prefix, store) => {
        const outer = await listen(store);
        for (const other of [`${prefix}:x`, `${prefix}x`]) {
          const writer = await open(other);
          const theirs = await listen(writer);
          await writer.init([{ kind: segments, items: [] }]);
          await writer.upsert(features, 'a', item('a', 9));
          await wait.forUpsert(theirs, 'a', 9);
        }
        await store.upsert(features, 'a', item('a', 1));
        await wait.forUpsert(outer, 'a', 1);
        expect(perKey(outer)).toEqual({ 'features/a': [[1, false]] });
        expect(outer.inits()).toEqual([]);
      },
    );

    feedLifecycleCases(context, kit);
  });
}
