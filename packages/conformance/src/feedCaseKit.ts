import type { ChangeFeed, PersistentDataStore } from '@stowage/core';
import { afterEach, it } from 'vitest';
import {
  DEFAULT_FEED_DEADLINE_MS,
  type FeedRecording,
  type FeedWaits,
  feedWaits,
  recordFeed,
} from './feedRecording.js';
import type { SuiteContext } from './SuiteContext.js';

const SKIP = 'the change feed is an optional capability the driver does not offer (no changeFeed)';

/** What the change feed cases share: registration, subscriptions and bounded waits. */
export interface FeedCaseKit {
  /** Waits bounded by the target's `feedDeadlineMs`. */
  readonly wait: FeedWaits;
  /**
   * Subscribes to the store's feed (the first subscription may be what connects) and waits until
   * it is live, so that what the case writes next is delivered. Unsubscribed after the test.
   */
  listen(store: PersistentDataStore): Promise<FeedRecording>;
  /**
   * Registers a case run with a fresh prefix and a store on it; skipped, with the reason, when the
   * target's stores have no `changeFeed`.
   */
  feedCase(
    name: string,
    body: (prefix: string, store: PersistentDataStore, feed: ChangeFeed) => Promise<void>,
  ): void;
}

/** Creates the kit and registers the clean-up of its subscriptions. Call inside a `describe`. */
export function createFeedCaseKit({ open, newPrefix, target }: SuiteContext): FeedCaseKit {
  const deadlineMs = target.feedDeadlineMs ?? DEFAULT_FEED_DEADLINE_MS;
  const wait = feedWaits(deadlineMs);
  // Room for a few bounded waits per case.
  const timeoutMs = deadlineMs * 4 + 5000;
  let recordings: FeedRecording[] = [];

  afterEach(() => {
    for (const recording of recordings) recording.stop();
    recordings = [];
  });

  return {
    wait,
    async listen(store) {
      const feed = store.changeFeed;
      if (feed === undefined) throw new Error('a store of the target has no changeFeed');
      const recording = recordFeed(feed);
      recordings.push(recording);
      await wait.until(
        () => recording.live === true,
        'live$ true after subscribing',
        () => recording.liveValues,
      );
      return recording;
    },
    feedCase(name, body) {
      it(
        name,
        async ({ skip }) => {
          const prefix = newPrefix();
          const store = await open(prefix);
          if (store.changeFeed === undefined) return skip(SKIP);
          await body(prefix, store, store.changeFeed);
        },
        timeoutMs,
      );
    },
  };
}
