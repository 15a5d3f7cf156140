import { type SentinelGroup, startSentinelGroup } from '@stowage/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForeignWriteTracker } from '../src/feed/foreignWrites/ForeignWriteTracker.js';
import { trackerTarget } from '../src/feed/foreignWrites/trackerTarget.js';
import {
  kindsOf,
  PROPAGATION_BOUND_MS,
  recordTracker,
  resetsIn,
  type TrackerRecording,
} from './foreignWritesRecording.js';
import { adminClient } from './support/adminClient.js';

// The foreign-write tracker behind Sentinel: its connections are duplicates of the store's
// Sentinel-managed client, so each set-up asks the sentinels for the primary; a kill -9 of the
// primary is a reset once tracking runs on the promoted replica.
const PREFIX = 'fws';
/** Sentinel notices the kill after down-after-milliseconds, then promotes a replica. */
const FAILOVER_BOUND_MS = 20_000;

let group: SentinelGroup;
let main: Redis;

beforeAll(async () => {
  group = await startSentinelGroup();
  await group.waitForQuorum();
  main = new Redis({
    sentinels: group.sentinels.map(({ host, port }) => ({ host, port })),
    name: group.name,
    lazyConnect: true,
    enableReadyCheck: false,
  });
  main.on('error', () => {});
});

afterAll(async () => {
  main?.disconnect();
  await group?.stop();
});

/** Writes to the current primary and waits for the kind event. */
async function expectKindEvent(recording: TrackerRecording): Promise<void> {
  const before = recording.events.length;
  const primary = adminClient(await group.primary());
  try {
    await primary.hset(`${PREFIX}:features`, `f-${before}`, '{}');
  } finally {
    primary.disconnect();
  }
  await recording.until(
    () => kindsOf(recording.events.slice(before)).includes('features'),
    PROPAGATION_BOUND_MS,
    'kind event',
  );
}

describe('the foreign-write tracker behind Sentinel', () => {
  it('tracks on the primary, and on the promoted replica after a kill -9 of the primary', async () => {
    const tracker = createForeignWriteTracker({
      effectivePrefix: PREFIX,
      ...trackerTarget(main, PREFIX),
      commandTimeoutMs: 1000,
      probeIntervalMs: 200,
    });
    const recording = recordTracker(tracker);
    try {
      await recording.until(() => recording.lives.at(-1) === true, 5000, 'live');
      await expectKindEvent(recording);
      const killed = performance.now();
      const old = await group.killPrimary();
      await recording.until(() => recording.lives.at(-1) === false, 5000, 'not live');
      const promoted = await group.waitForNewPrimary(old.port, FAILOVER_BOUND_MS);
      await recording.until(() => resetsIn(recording.events) === 1, FAILOVER_BOUND_MS, 'reset');
      console.info(
        `sentinel failover: tracking back ${Math.round(performance.now() - killed)} ms after the kill`,
      );
      expect(recording.lives.at(-1)).toBe(true);
      const onPromoted = adminClient(promoted);
      try {
        expect(String(await onPromoted.client('LIST'))).toMatch(/\bredir=(?!-1\b)\d+/);
      } finally {
        onPromoted.disconnect();
      }
      await expectKindEvent(recording);
    } finally {
      tracker.close();
    }
  }, 60_000);
});
