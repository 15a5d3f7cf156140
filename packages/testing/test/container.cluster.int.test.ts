import { afterAll, describe, expect, it } from 'vitest';
import { type RedisCluster, startCluster, whyNoContainerEngine } from '../src/index.js';

// A cluster in containers: every node announces 127.0.0.1 and its published port, and the
// loopback mesh carries the cluster bus between containers, so redirections name addresses the
// test's clients reach.
const noEngine = await whyNoContainerEngine();
if (noEngine !== undefined) console.warn(`container cluster tests skipped: ${noEngine}`);

let cluster: RedisCluster | undefined;
afterAll(async () => {
  await cluster?.stop();
});

describe.skipIf(noEngine !== undefined)('startCluster with provider "container"', () => {
  it('forms three primaries with a replica each, serves redirections on published ports, fails over', async () => {
    const began = Date.now();
    cluster = await startCluster({ provider: 'container', password: 'cluster-secret' });
    const startedMs = Date.now() - began;
    const first = cluster.nodes[0]!;
    // The primaries CLUSTER SLOTS names are 127.0.0.1 and the published ports of nodes.
    const lines = (await first.redisCli('CLUSTER', 'SLOTS')).split('\n');
    const announced = lines.flatMap((line, index) =>
      line === '127.0.0.1' ? [lines[index + 1]] : [],
    );
    expect(announced.length).toBeGreaterThanOrEqual(3);
    for (const port of announced) {
      expect(cluster.nodes.map((node) => String(node.port))).toContain(port);
    }
    // -c follows MOVED to the announced address: 127.0.0.1 and a published port.
    for (const key of ['a', 'b', 'c', 'd']) {
      expect(await first.redisCli('-c', 'SET', key, key)).toBe('OK');
      expect(await first.redisCli('-c', 'GET', key)).toBe(key);
    }
    const slot = cluster.keySlot('a');
    const owner = await cluster.primaryForSlot(slot);
    const failoverBegan = Date.now();
    await cluster.killNode(owner.port);
    let next = owner;
    while (next.port === owner.port && Date.now() - failoverBegan < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      next = await cluster.primaryForSlot(slot);
    }
    console.log(
      `container cluster: started in ${startedMs} ms; a replica serves the killed primary's ` +
        `slots ${Date.now() - failoverBegan} ms after kill -9`,
    );
    expect(next.port).not.toBe(owner.port);
    expect(await next.redisCli('-c', 'GET', 'a')).toBe('a');
  });
});
