import { expect } from 'vitest';
import type { FeedCaseKit } from '../feedCaseKit.js';
import { type FeedRecording, recordFeed } from '../feedRecording.js';
import { features, item } from '../fixtures.js';
import type { SuiteContext } from '../SuiteContext.js';

/** The feed's own life apart from what it carries: live$, checkInitialized() and close(). */
export function feedLifecycleCases(
  { open, target }: SuiteContext,
  { feedCase, listen, wait }: FeedCaseKit,
): void {
  feedCase('live$ turns true after subscribing', async (_prefix, store) => {
    const recording = await listen(store);
    expect(recording.live).toBe(true);
    expect(recording.errors).toEqual([]);
  });

  feedCase(
    'checkInitialized asks the backend: a cleared prefix is not initialized',
    async (prefix, store, feed) => {
      expect(await feed.checkInitialized()).toBe(false);
      await (await open(prefix)).init([{ kind: features, items: [] }]);
      expect(await feed.checkInitialized()).toBe(true);
      expect(await store.isInitialized()).toBe(true);
      await target.clearPrefix(prefix);
      expect(await feed.checkInitialized()).toBe(false);
      expect(await store.isInitialized(), 'isInitialized() remembers').toBe(true);
    },
  );

  feedCase('close completes events$, and nothing follows', async (prefix, closing) => {
    const writer = await open(prefix);
    const [closed, observer] = [await listen(closing), await listen(await open(prefix))];
    await writer.upsert(features, 'a', item('a', 1));
    await wait.forUpsert(closed, 'a', 1);
    await closing.close();
    await wait.until(() => closed.completed, 'events$ completes on close');
    const seen = closed.events.length;
    await writer.upsert(features, 'a', item('a', 2));
    await wait.forUpsert(observer, 'a', 2);
    expect(closed.events.slice(seen)).toEqual([]);
    expect(closed.errors).toEqual([]);
  });

  feedCase(
    'subscribing after close throws nothing and emits nothing',
    async (prefix, closing, feed) => {
      const writer = await open(prefix);
      const observer = await listen(await open(prefix));
      await closing.close();
      let late: FeedRecording | undefined;
      expect(() => {
        late = recordFeed(feed);
      }).not.toThrow();
      await writer.upsert(features, 'a', item('a', 1));
      await wait.forUpsert(observer, 'a', 1);
      late?.stop();
      expect(late?.events).toEqual([]);
      expect(late?.liveValues, 'a closed feed is not live').not.toContain(true);
      expect(late?.errors).toEqual([]);
    },
  );
}
