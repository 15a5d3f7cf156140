import { StoreErrorCode } from '@stowage/core';
import { type RedisCluster, type RedisServer, startCluster } from '@stowage/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRedisDriver } from '../src/index.js';
import { adminClient } from './support/adminClient.js';
import { prefixServedBy, primaries } from './support/clusterFaults.js';
import {
  type Contender,
  checkedFigures,
  RUN_TIMEOUTS,
  type RunFigures,
  runThroughFault,
} from './support/faultRun.js';
import { waitForReplicaInSync } from './support/nodeState.js';

// Each fault of the primary serving the stores' slot in a 3+3 cluster hits two stores at once,
// each with four writers and a reader: a control without waitForReplicas and one with
// `replicas: 1` (every primary has one replica; `'attached'` is the same here). Figures per store
// as in the Sentinel file.
const DURABLE: Contender['options'] = { waitForReplicas: { replicas: 1, timeoutMs: 500 } };
const AFTER_MS = 5000;
const CONTENDERS: ReadonlyArray<Contender> = [
  { label: 'control', options: {} },
  { label: 'durable', options: DURABLE },
];

let cluster: RedisCluster;

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  for (const node of cluster?.nodes ?? []) if (node.running) node.resume();
  await cluster?.stop();
});

/** The replica of `primary`, as its ROLE says. */
async function replicaOf(primary: RedisServer): Promise<RedisServer> {
  for (const node of cluster.nodes) {
    if (!node.running || node.port === primary.port) continue;
    const admin = adminClient(node);
    try {
      const role = (await admin.role()) as unknown[];
      if (role[0] === 'slave' && Number(role[2]) === primary.port) return node;
    } finally {
      admin.disconnect();
    }
  }
  throw new Error(`no replica of ${primary.port}`);
}

async function run(
  fault: string,
  shard: number,
  inject: (victim: RedisServer, replica: RedisServer) => Promise<void>,
): Promise<Map<string, RunFigures>> {
  await cluster.waitForClusterOk();
  const victim = (await primaries(cluster))[shard];
  if (victim === undefined) throw new Error('no primary');
  const replica = await replicaOf(victim);
  const prefixes = new Map<string, string>();
  for (const { label } of CONTENDERS) {
    prefixes.set(`${fault}-${label}`, await prefixServedBy(cluster, victim, `${fault}-${label}`));
  }
  const prefix = (label: string) => prefixes.get(label) ?? label;
  const open = (label: string, options: Contender['options']) =>
    createRedisDriver({
      mode: 'cluster',
      nodes: cluster.startupNodes.map(({ host, port }) => ({ host, port })),
      prefix: prefix(label),
      ...RUN_TIMEOUTS,
      ...options,
    });
  const figures = await runThroughFault({
    contenders: CONTENDERS.map((c) => ({ ...c, label: `${fault}-${c.label}` })),
    open,
    candidates: [replica],
    fault: () => inject(victim, replica),
    settled: async (label) => {
      if (!victim.running) await victim.restart();
      await waitForReplicaInSync(victim, 20_000);
      await cluster.waitForClusterOk();
      return open(label, {});
    },
    afterMs: AFTER_MS,
  });
  const byLabel = checkedFigures(
    fault,
    `cluster ${fault} (${victim.port} -> ${replica.port})`,
    figures,
  );
  const durable = byLabel.get('durable');
  if (durable === undefined) throw new Error('no figures');
  expect(durable.lost).toBe(0);
  expect(durable.acknowledged).toBeGreaterThan(200);
  expect(durable.promotedAckMs).toBeDefined();
  return byLabel;
}

it('graceful CLUSTER FAILOVER of the stores slot primary: nothing lost with waitForReplicas', async () => {
  await run('graceful', 0, async (_victim, replica) => {
    await replica.redisCli('CLUSTER', 'FAILOVER');
    await waitForPromotionOf(replica);
  });
}, 90_000);

it('primary frozen (SIGSTOP) 3 s past its replica promotion: the stores leave it before it resumes', async () => {
  let resumedMs = 0;
  const figures = await run('pause', 1, async (victim, replica) => {
    const faultAt = performance.now();
    victim.pause();
    try {
      await waitForPromotionOf(replica);
      // Frozen for three more seconds after the promotion: a store must reach the promoted node
      // while the old one still hangs.
      await new Promise((resolve) => setTimeout(resolve, 3000));
    } finally {
      victim.resume();
      resumedMs = performance.now() - faultAt;
    }
  });
  console.log(`cluster pause: the old primary resumed ${Math.round(resumedMs)} ms after the fault`);
  const control = figures.get('control');
  expect(control?.promotedAckMs).toBeDefined();
  // Both from the fault: a write reached the promoted node while the old primary still hung.
  expect(control?.promotedAckMs).toBeLessThan(resumedMs);
  const durable = figures.get('durable');
  expect(durable?.writeFailures[StoreErrorCode.DurabilityNotConfirmed]).toBeGreaterThan(0);
}, 90_000);

it('kill -9 of the stores slot primary, restarted at once: nothing lost with waitForReplicas', async () => {
  await run('kill', 2, async (victim, replica) => {
    await cluster.killNode(victim.port);
    await waitForPromotionOf(replica);
    // Back as a replica of the promoted node: until then no write can be confirmed.
    await victim.restart();
  });
}, 90_000);

/** Waits until `node` reports itself a primary (it was promoted). */
async function waitForPromotionOf(node: RedisServer): Promise<void> {
  const deadline = performance.now() + 15_000;
  const admin = adminClient(node);
  try {
    for (;;) {
      const role = (await admin.role().catch(() => [])) as unknown[];
      if (role[0] === 'master') return;
      if (performance.now() > deadline) throw new Error(`${node.port} not promoted`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    admin.disconnect();
  }
}
