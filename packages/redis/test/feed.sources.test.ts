import {
  type ChangeEvent,
  initMessage,
  readChangeMessage,
  upsertMessage,
} from '@stowage/core/driver';
import { BehaviorSubject, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ChangeSource } from '../src/feed/ChangeSource.js';
import { RedisChangeFeed } from '../src/feed/RedisChangeFeed.js';

// The message codec and the composition of sources, without a server.

describe('the message of a write', () => {
  it('round-trips any key, and tells own writes from others', () => {
    for (const key of ['a', 'nul\u0000x', 'lone \ud800 surrogate', '😀'.repeat(2048), '"\\/']) {
      const message = upsertMessage('me', 'features', key, 9, true);
      expect(readChangeMessage(message, 'me')).toEqual({
        type: 'upsert',
        kind: { namespace: 'features' },
        key,
        version: 9,
        deleted: true,
        own: true,
      });
      expect(readChangeMessage(message, 'you')).toMatchObject({ key, own: false });
    }
    expect(readChangeMessage(initMessage('me', 'segments'), 'you')).toEqual({
      type: 'init',
      kind: { namespace: 'segments' },
      own: false,
    });
  });

  it('a message that cannot be read is a reset', () => {
    for (const payload of [
      'not json',
      '[]',
      'null',
      '{"t":"u","o":"x","n":"features","k":"a","v":"1","d":false}',
      '{"t":"u","o":"x","n":"features","k":"a","v":1.5,"d":false}',
      '{"t":"u","o":"x","n":"features","v":1,"d":false}',
      '{"t":"z","o":"x","n":"features"}',
    ]) {
      expect(readChangeMessage(payload, 'me')).toEqual({ type: 'reset' });
    }
  });
});

function source() {
  const events = new Subject<ChangeEvent>();
  const live = new BehaviorSubject(false);
  let closed = 0;
  const value: ChangeSource = {
    events$: events,
    live$: live,
    close: () => {
      closed += 1;
    },
  };
  return { value, events, live, closed: () => closed };
}

describe('a feed over several sources', () => {
  it('merges events, is live only while every source is, and closes them all', async () => {
    const a = source();
    const b = source();
    const feed = new RedisChangeFeed([a.value, b.value], async () => true);
    const events: ChangeEvent[] = [];
    const live: boolean[] = [];
    let completed = false;
    feed.events$.subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
    feed.live$.subscribe((value) => live.push(value));
    a.live.next(true);
    b.live.next(true);
    a.events.next({ type: 'kind', kind: { namespace: 'features' } });
    b.events.next({ type: 'reset' });
    b.live.next(false);
    b.live.next(true);
    expect(live).toEqual([false, true, false, true]);
    expect(events).toEqual([{ type: 'kind', kind: { namespace: 'features' } }, { type: 'reset' }]);
    expect(await feed.checkInitialized()).toBe(true);

    await feed.close();
    expect(a.closed()).toBe(1);
    expect(b.closed()).toBe(1);
    expect(completed).toBe(true);
    expect(live.at(-1)).toBe(false);
    a.events.next({ type: 'reset' });
    expect(events).toHaveLength(2);
    // A late observer: live$ false and done, events$ done at once.
    const late: boolean[] = [];
    feed.live$.subscribe((value) => late.push(value));
    expect(late).toEqual([false]);
    await feed.close();
    expect(a.closed()).toBe(1);
  });
});
