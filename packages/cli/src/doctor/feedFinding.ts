import type { PersistentDataStore } from '@stowage/core';
import { type Finding, finding } from './Finding.js';

/** How long the feed may take to turn live. */
const LIVE_WITHIN_MS = 5_000;

type Outcome = { readonly live: true } | { readonly error: Error } | { readonly late: true };

/** Follows the feed until it is live, fails, or `LIVE_WITHIN_MS` passes. */
function firstOutcome(feed: NonNullable<PersistentDataStore['changeFeed']>): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const timer = setTimeout(() => done({ late: true }), LIVE_WITHIN_MS);
    const events = feed.events$.subscribe({ error: (error: Error) => done({ error }) });
    const live = feed.live$.subscribe((value) => {
      if (value) done({ live: true });
    });
    function done(outcome: Outcome) {
      clearTimeout(timer);
      events.unsubscribe();
      live.unsubscribe();
      resolve(outcome);
    }
  });
}

/**
 * The change feed as an application's store follows it: live within a few seconds, or the error
 * that fails every call of an application's store (a refused subscription), or no feed at all.
 */
export async function feedFinding(store: PersistentDataStore): Promise<Finding> {
  if (store.changeFeed === undefined) {
    return finding('feed', 'ok', 'the driver has no change feed: cached items follow their TTL');
  }
  const outcome = await firstOutcome(store.changeFeed);
  if ('live' in outcome) {
    return finding('feed', 'ok', "live: every instance's cache hears the others' writes");
  }
  if ('error' in outcome) return finding('feed', 'error', outcome.error.message);
  return finding(
    'feed',
    'warning',
    `not live within ${LIVE_WITHIN_MS / 1000} s: caches read through to the server until it is`,
  );
}
