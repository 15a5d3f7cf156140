import { type SentinelGroup, startSentinelGroup } from '@stowage/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { controlWithLoss, runThroughFault } from './support/durabilityRun.js';

// SIGSTOP of the primary (like a partition): the sentinels promote a replica. The writes sent to
// the frozen primary wait in its socket; when it comes back it executes and acknowledges them
// before the sentinels demote it, and they are lost with its data set. Both runs wait for answers
// longer than the freeze (as ioredis does by default: it has no command timeout) and turn
// `failoverDetector` off so that the client stays on the old primary exactly as ioredis's defaults
// do; the only difference between them is `waitForReplicas`. Several writers run at once, like
// the requests of a busy server, so that several writes are in the frozen primary's socket.
const STAY = { failoverDetector: false, commandTimeoutMs: 15_000 } as const;
const LANES = 8;
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
    runThroughFault(control, `pause-control-${attempt}`, pauseUntilReplaced(control), STAY, LANES),
  );
  expect(result.lost).toBeGreaterThan(0);
});

it('with waitForReplicas of every replica, a paused primary loses no acknowledged write', async () => {
  const result = await runThroughFault(
    durable,
    'pause-wait',
    pauseUntilReplaced(durable),
    { ...STAY, ...WAIT_ALL },
    LANES,
  );
  expect(result.acknowledged).toBeGreaterThan(300);
  expect(result.lost).toBe(0);
});
