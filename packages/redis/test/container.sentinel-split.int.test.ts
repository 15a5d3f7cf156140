import {
  type ContainerSentinelGroup,
  startContainerSentinelGroup,
  whyNoContainerEngine,
} from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlWithLoss, runThroughFault } from './support/durabilityRun.js';

// The split brain the durability option exists for, which processes cannot make: the primary is
// cut off from its replicas and sentinels (packets from other containers dropped inside its
// network namespace) while the clients still reach it through its published port. The sentinels
// promote a replica; the old primary keeps acknowledging writes until the partition heals and the
// sentinels turn it into a replica of the new one, which drops everything it took meanwhile.
// Both runs keep the client on the old primary as ioredis's defaults do (`failoverDetector` off);
// the only difference between them is `waitForReplicas`.
const STAY = { failoverDetector: false } as const;
const LANES = 8;
const WAIT_ONE = { waitForReplicas: { replicas: 1, timeoutMs: 300 } } as const;
const CONTROL_ATTEMPTS = 2;

const noEngine = await whyNoContainerEngine();
if (noEngine !== undefined) console.warn(`split-brain tests skipped: ${noEngine}`);

let group: ContainerSentinelGroup;

beforeAll(async () => {
  if (noEngine === undefined) group = await startContainerSentinelGroup();
});

afterAll(async () => {
  await Promise.all(group?.nodes.map((node) => node.heal()) ?? []);
  await group?.stop();
});

/** Isolates the primary from the other containers until the sentinels have replaced it. */
const isolateUntilReplaced = async () => {
  const old = await group.primary();
  await old.partition('containers');
  try {
    await group.waitForNewPrimary(old.port);
  } finally {
    await old.heal();
  }
};

describe.skipIf(noEngine !== undefined)('a primary cut off from its Sentinel group', () => {
  it('control: without waitForReplicas the isolated primary loses acknowledged writes', async () => {
    const result = await controlWithLoss(CONTROL_ATTEMPTS, (attempt) =>
      runThroughFault(group, `split-control-${attempt}`, isolateUntilReplaced, STAY, LANES),
    );
    expect(result.lost).toBeGreaterThan(0);
  });

  it('with waitForReplicas, the isolated primary loses no acknowledged write', async () => {
    const result = await runThroughFault(
      group,
      'split-wait',
      isolateUntilReplaced,
      { ...STAY, ...WAIT_ONE },
      LANES,
    );
    expect(result.acknowledged).toBeGreaterThan(300);
    expect(result.lost).toBe(0);
  });
});
