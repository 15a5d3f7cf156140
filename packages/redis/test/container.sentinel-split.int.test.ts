import {
  type ContainerSentinelGroup,
  startContainerSentinelGroup,
  whyNoContainerEngine,
} from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisDriverOptions } from '../src/index.js';
import {
  checkedFigures,
  RUN_TIMEOUTS,
  type RunFigures,
  runThroughFault,
} from './support/faultRun.js';
import { sentinelStore, settledPrimaryStore } from './support/settledGroup.js';

// The split brain the durability option exists for, which processes cannot make: the primary is
// cut off from its replicas and sentinels (packets from other containers dropped inside its
// network namespace) while the clients still reach it through its published port. The sentinels
// promote a replica; the old primary keeps acknowledging writes until the partition heals and the
// sentinels turn it into a replica of the new one, which drops everything it took meanwhile.
// Both runs keep the client on the old primary as ioredis's defaults do (`failoverDetector` off);
// the only difference between them is `waitForReplicas`.
const STAY: RedisDriverOptions = { failoverDetector: false };
const WAIT_ONE: RedisDriverOptions = { waitForReplicas: { replicas: 1, timeoutMs: 300 } };
const LANES = 8;
/** A control that happens to lose nothing proves nothing: it is run again, never assumed. */
const ATTEMPTS = 2;
/** How long the writers go on after the partition healed (the old primary is demoted meanwhile). */
const AFTER_MS = 6000;

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

/** Both stores, the control and the durable one, through one split brain. */
async function splitBrain(attempt: number): Promise<Map<string, RunFigures>> {
  const fault = `split${attempt}`;
  await group.waitForQuorum();
  const primary = await group.primary();
  const figures = await runThroughFault({
    contenders: [
      { label: `${fault}-control`, options: STAY },
      { label: `${fault}-wait`, options: { ...STAY, ...WAIT_ONE } },
    ],
    open: (label, options) => sentinelStore(group, label, { ...RUN_TIMEOUTS, ...options }),
    candidates: group.nodes.filter((node) => node.port !== primary.port),
    fault: isolateUntilReplaced,
    settled: (label) => settledPrimaryStore(group, label),
    lanes: LANES,
    afterMs: AFTER_MS,
  });
  return checkedFigures(fault, `sentinel split brain (containers), run ${attempt}`, figures);
}

describe.skipIf(noEngine !== undefined)('a primary cut off from its Sentinel group', () => {
  it('loses acknowledged writes without waitForReplicas, and none with it', async () => {
    let figures = await splitBrain(1);
    for (
      let attempt = 2;
      attempt <= ATTEMPTS && (figures.get('control')?.lost ?? 0) === 0;
      attempt++
    ) {
      figures = await splitBrain(attempt);
    }
    const control = figures.get('control');
    const durable = figures.get('wait');
    expect(control?.lost).toBeGreaterThan(0);
    // The writes before the fault (200 per store) are acknowledged whatever the split does.
    expect(durable?.acknowledged).toBeGreaterThanOrEqual(200);
    expect(durable?.lost).toBe(0);
  }, 180_000);
});
