import { type SentinelGroup, startSentinelGroup } from '@stowage/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { controlWithLoss, runThroughFault } from './support/durabilityRun.js';

// SIGSTOP of the primary (like a partition): the sentinels promote a replica; when the old
// primary comes back it accepts writes until the sentinels demote it, and those are lost. Both
// runs turn `failoverDetector` off so that the client stays on the old primary exactly as
// ioredis's defaults do; the only difference between them is `waitForReplicas`. (With the
// detector on, the client usually leaves the old primary in time and the control could not show
// the loss the option prevents.)
const STAY = { failoverDetector: false } as const;
const WAIT_ALL = { waitForReplicas: { replicas: 2, timeoutMs: 500 } } as const;
const CONTROL_ATTEMPTS = 3;

let control: SentinelGroup;
let durable: SentinelGroup;

beforeAll(async () => {
  [control, durable] = await Promise.all([startSentinelGroup(), startSentinelGroup()]);
});

afterAll(async () => {
  control?.resumeAll();
  durable?.resumeAll();
  await Promise.all([control?.stop(), durable?.stop()]);
});

const pauseUntilReplaced = (group: SentinelGroup) => async () => {
  const old = await group.pausePrimary();
  try {
    await group.waitForNewPrimary(old.port);
  } finally {
    group.resumeAll();
  }
};

it('control: without waitForReplicas a paused primary loses acknowledged writes', async () => {
  const result = await controlWithLoss(CONTROL_ATTEMPTS, (attempt) =>
    runThroughFault(control, `pause-control-${attempt}`, pauseUntilReplaced(control), STAY),
  );
  expect(result.lost).toBeGreaterThan(0);
});

it('with waitForReplicas of every replica, a paused primary loses no acknowledged write', async () => {
  const result = await runThroughFault(durable, 'pause-wait', pauseUntilReplaced(durable), {
    ...STAY,
    ...WAIT_ALL,
  });
  expect(result.acknowledged).toBeGreaterThan(300);
  expect(result.lost).toBe(0);
});
