import { type SentinelGroup, startSentinelGroup } from '@stowage/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { controlWithLoss, runThroughFault } from './support/durabilityRun.js';

// A graceful SENTINEL FAILOVER loses acknowledged writes with the default options (writes reach
// the old primary after the replica to be promoted has stopped following it). With
// `waitForReplicas: { replicas: 2 }` (every replica of the primary) a write is acknowledged only
// once the replica that gets promoted has it too. Waiting for 1 of 2 is not enough: the replica
// that confirmed may not be the one promoted. One group per run, started together.
const WAIT_ALL = { waitForReplicas: { replicas: 2, timeoutMs: 500 } } as const;
/** Control attempts before giving up on seeing a loss (a failover per attempt). */
const CONTROL_ATTEMPTS = 3;

let control: SentinelGroup;
let durable: SentinelGroup;

beforeAll(async () => {
  [control, durable] = await Promise.all([startSentinelGroup(), startSentinelGroup()]);
});

afterAll(async () => {
  await Promise.all([control?.stop(), durable?.stop()]);
});

const gracefulFailover = (group: SentinelGroup) => async () => {
  const old = await group.failover();
  await group.waitForNewPrimary(old.port);
};

it('control: without waitForReplicas a graceful failover loses acknowledged writes', async () => {
  // Retried (bounded) when a run happens to lose nothing; see controlWithLoss.
  const result = await controlWithLoss(CONTROL_ATTEMPTS, (attempt) =>
    runThroughFault(control, `graceful-control-${attempt}`, gracefulFailover(control), {}),
  );
  expect(result.lost).toBeGreaterThan(0);
});

it('with waitForReplicas of every replica, a graceful failover loses no acknowledged write', async () => {
  const result = await runThroughFault(
    durable,
    'graceful-wait',
    gracefulFailover(durable),
    WAIT_ALL,
  );
  expect(result.acknowledged).toBeGreaterThan(300);
  expect(result.lost).toBe(0);
});
