import { afterAll, describe, expect, it } from 'vitest';
import { type SentinelGroup, startSentinelGroup, whyNoContainerEngine } from '../src/index.js';

// A Sentinel group in containers: every member announces 127.0.0.1 and its published port, and a
// loopback mesh inside each container makes those addresses reach the right container, so the
// sentinels hand out addresses the test's clients can use.
const noEngine = await whyNoContainerEngine();
if (noEngine !== undefined) console.warn(`container Sentinel tests skipped: ${noEngine}`);

let group: SentinelGroup | undefined;
afterAll(async () => {
  await group?.stop();
});

describe.skipIf(noEngine !== undefined)('startSentinelGroup with provider "container"', () => {
  it('starts a primary, two synced replicas and three sentinels that agree, and fails over on kill -9', async () => {
    const began = Date.now();
    group = await startSentinelGroup({ provider: 'container', password: 'group-secret' });
    const startedMs = Date.now() - began;
    const primary = await group.primary();
    expect(primary.port).toBe(group.nodes[0]!.port);
    expect(await primary.redisCli('ROLE')).toMatch(/^master/);
    await group.waitForQuorum(15_000);
    const quorumMs = Date.now() - began;
    const replicas = await group.sentinelCli('SENTINEL', 'REPLICAS', group.name);
    for (const node of group.nodes.slice(1)) expect(replicas).toContain(String(node.port));

    const failoverBegan = Date.now();
    const old = await group.killPrimary();
    const next = await group.waitForNewPrimary(old.port);
    console.log(
      `container sentinel group: started in ${startedMs} ms, quorum after ${quorumMs} ms, ` +
        `new primary ${Date.now() - failoverBegan} ms after kill -9`,
    );
    expect(group.nodes.slice(1).map((node) => node.port)).toContain(next.port);
  });
});
