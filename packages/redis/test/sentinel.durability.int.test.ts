import { type SentinelGroup, startSentinelGroup } from '@stowage/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RedisDriverOptions } from '../src/index.js';
import {
  type Contender,
  checkedFigures,
  RUN_TIMEOUTS,
  type RunFigures,
  runThroughFault,
} from './support/faultRun.js';
import { sentinelStore, settledPrimaryStore } from './support/settledGroup.js';

// Each fault of a Sentinel group (primary, two replicas, three sentinels) hits several stores at
// once, one per setting, each with four writers and a reader: the same fault for every setting.
// Per store: acknowledged writes, those the settled group lost, the first write the promoted node
// itself acknowledged, failures by code and the reader's worst latency (printed for the README).
//
// - control: no waitForReplicas. Loses acknowledged writes across a graceful failover and a
//   frozen primary, so the zero of the other stores means something.
// - fixed: `replicas: 2`, every replica. Safe, but the promoted primary has one replica until the
//   old primary rejoins (~10 s after a graceful failover; never while it is dead).
// - attached: `replicas: 'attached'`, every replica the primary has, at least one.
const WAIT_MS = 500;
const FIXED: Contender['options'] = { waitForReplicas: { replicas: 2, timeoutMs: WAIT_MS } };
const ATTACHED: Contender['options'] = {
  waitForReplicas: { replicas: 'attached', timeoutMs: WAIT_MS },
};
/**
 * ioredis's own behaviour, and the combination that loses the most: no failover detector (the
 * client stays on the old primary until it is demoted) and waits longer than the freeze.
 */
const STAY: RedisDriverOptions = { failoverDetector: false, commandTimeoutMs: 15_000 };
/**
 * How long the writers go on after the fault is over: more than the 3 s asked of `attached`, and
 * (graceful, pause) past the ~10 s after which Sentinel turns the old primary into a replica, when
 * `fixed` and the stores without a failover detector recover.
 */
const AFTER_MS = 6000;
const AFTER_DEMOTION_MS = 12_000;
/** `attached` must have writes confirmed by the promoted node again within this. */
const RECOVERY_BOUND_MS = 5000;

let group: SentinelGroup;

beforeAll(async () => {
  group = await startSentinelGroup();
});

afterAll(async () => {
  group?.resumeAll();
  await group?.stop();
});

async function run(
  fault: string,
  contenders: ReadonlyArray<Contender>,
  inject: () => Promise<void>,
  afterMs = AFTER_MS,
): Promise<Map<string, RunFigures>> {
  await group.waitForQuorum(20_000);
  const primary = await group.primary();
  const figures = await runThroughFault({
    contenders: contenders.map((c) => ({ ...c, label: `${fault}-${c.label}` })),
    open: (label, options) => sentinelStore(group, label, { ...RUN_TIMEOUTS, ...options }),
    candidates: group.nodes.filter((node) => node.port !== primary.port),
    fault: inject,
    settled: async (label) => {
      for (const node of group.nodes) if (!node.running) await node.restart();
      return settledPrimaryStore(group, label);
    },
    afterMs,
  });
  return checkedFigures(fault, `sentinel ${fault}`, figures);
}

const get = (figures: Map<string, RunFigures>, label: string): RunFigures => {
  const f = figures.get(label);
  if (f === undefined) throw new Error(`no figures for ${label}`);
  return f;
};

it('graceful SENTINEL FAILOVER: the control loses writes, both durable rules none; attached confirms again within seconds and reads never wait behind WAIT', async () => {
  const figures = await run(
    'graceful',
    [
      { label: 'control', options: {} },
      { label: 'fixed', options: FIXED },
      { label: 'attached', options: ATTACHED },
    ],
    async () => {
      const old = await group.failover();
      await group.waitForNewPrimary(old.port);
    },
    AFTER_DEMOTION_MS,
  );
  expect(get(figures, 'control').lost).toBeGreaterThan(0);
  for (const label of ['fixed', 'attached']) {
    const f = get(figures, label);
    expect(f.lost, label).toBe(0);
    expect(f.acknowledged, label).toBeGreaterThan(200);
    // Reads go on the store's own connection, never behind a WAIT: none reaches the timeout.
    expect(f.readerWorstMs, label).toBeLessThan(RUN_TIMEOUTS.commandTimeoutMs);
  }
  const attached = get(figures, 'attached');
  expect(attached.promotedAckMs).toBeDefined();
  expect(attached.promotedAckMs).toBeLessThan(RECOVERY_BOUND_MS);
}, 90_000);

it('primary frozen (SIGSTOP) until a replica is promoted, then resumed: with either rule the old primary confirms nothing', async () => {
  const figures = await run(
    'pause',
    [
      { label: 'control-stay', options: STAY },
      { label: 'attached-stay', options: { ...STAY, ...ATTACHED } },
      { label: 'fixed', options: FIXED },
      { label: 'attached', options: ATTACHED },
    ],
    async () => {
      const old = await group.pausePrimary();
      try {
        await group.waitForNewPrimary(old.port);
      } finally {
        group.resumeAll();
      }
    },
    AFTER_DEMOTION_MS,
  );
  expect(get(figures, 'control-stay').lost).toBeGreaterThan(0);
  for (const label of ['attached-stay', 'fixed', 'attached']) {
    const f = get(figures, label);
    expect(f.lost, label).toBe(0);
    expect(f.acknowledged, label).toBeGreaterThan(200);
  }
  const attached = get(figures, 'attached');
  expect(attached.promotedAckMs).toBeDefined();
  expect(attached.promotedAckMs).toBeLessThan(RECOVERY_BOUND_MS + 3000);
}, 120_000);

it('kill -9 of the primary: nothing lost; attached confirms again once the promoted primary has a replica', async () => {
  const figures = await run(
    'kill',
    [
      { label: 'control', options: {} },
      { label: 'fixed', options: FIXED },
      { label: 'attached', options: ATTACHED },
    ],
    async () => {
      const old = await group.killPrimary();
      await group.waitForNewPrimary(old.port);
    },
  );
  // The control's loss is reported, not asserted: without WAIT, Redis promises nothing across a
  // kill -9. On a quiet machine it loses nothing (the replicas are microseconds behind), but on a
  // loaded one a replica can fall behind, or a failover can time out (failover-timeout 3 s) and
  // a second one promote another replica, dropping what the first promoted node acknowledged alone
  // (a CI run lost 14,466 of the control's writes that way). The durable rules lose none either way.
  for (const label of ['fixed', 'attached']) {
    expect(get(figures, label).lost, label).toBe(0);
  }
  const attached = get(figures, 'attached');
  expect(attached.promotedAckMs).toBeDefined();
  expect(attached.promotedAckMs).toBeLessThan(RECOVERY_BOUND_MS + 3000);
}, 90_000);
