import type { ChangeEvent } from '@stowage/core/driver';
import { expect } from 'vitest';
import type { RedisDataStore } from '../../src/index.js';
import { recordFeed } from './feedRecorder.js';
import { features, item, segments } from './items.js';

// What the feed tests of every topology check the same way.

/**
 * Writes `key` at `version` until the store reaches the deployment's (new) primary, for at most
 * `ms`: a write in a failover's gap may fail typed.
 */
export async function writeEventually(
  store: RedisDataStore,
  key: string,
  version: number,
  ms: number,
) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await store.upsert(features, key, item(key, version));
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * An init of two kinds, an upsert and a tombstone by `writer`: each is announced, with its
 * version, in order, on both feeds, `own` on the writer's only.
 */
export async function expectWritesAnnounced(
  writer: RedisDataStore,
  reader: RedisDataStore,
  boundMs: number,
) {
  const mine = recordFeed(writer.changeFeed);
  const theirs = recordFeed(reader.changeFeed);
  await mine.untilLive(boundMs);
  await theirs.untilLive(boundMs);
  await writer.init([
    { kind: features, items: [] },
    { kind: segments, items: [] },
  ]);
  await writer.upsert(features, 'a', item('a', 1));
  await writer.upsert(features, 'a', { version: 2, deleted: true });
  const expected = (own: boolean): ChangeEvent[] => [
    { type: 'init', kind: features, own },
    { type: 'init', kind: segments, own },
    { type: 'upsert', kind: features, key: 'a', version: 1, deleted: false, own },
    { type: 'upsert', kind: features, key: 'a', version: 2, deleted: true, own },
  ];
  await mine.until(() => mine.events.length >= 4, boundMs, 'four events');
  await theirs.until(() => theirs.events.length >= 4, boundMs, 'four events');
  expect(mine.events).toEqual(expected(true));
  expect(theirs.events).toEqual(expected(false));
  mine.stop();
  theirs.stop();
}
