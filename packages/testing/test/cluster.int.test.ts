import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisCluster, startCluster } from '../src/index.js';

describe('startCluster', () => {
  let cluster: RedisCluster;

  beforeAll(async () => {
    const started = Date.now();
    cluster = await startCluster({ password: 'cluster-pw' });
    console.info(`cluster started in ${Date.now() - started} ms`);
  });
  afterAll(async () => {
    const started = Date.now();
    await cluster?.stop();
    console.info(`cluster stopped in ${Date.now() - started} ms`);
  });

  it('forms three primaries with a replica each, every node reporting cluster_state:ok', async () => {
    expect(cluster.nodes).toHaveLength(6);
    expect(cluster.startupNodes).toEqual(
      cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
    );
    for (const node of cluster.nodes) {
      expect(await node.redisCli('CLUSTER', 'INFO')).toMatch(/cluster_state:ok/);
    }
    const roles = await Promise.all(cluster.nodes.map((node) => node.redisCli('ROLE')));
    expect(roles.filter((role) => role.startsWith('master'))).toHaveLength(3);
    expect(roles.filter((role) => role.startsWith('slave'))).toHaveLength(3);
    // The cluster bus sits inside the leased block, not at port + 10000.
    const nodesText = await cluster.nodes[0]!.redisCli('CLUSTER', 'NODES');
    expect(nodesText).not.toContain(`@${cluster.nodes[0]!.port + 10_000}`);
  });

  it('computes key slots exactly like CLUSTER KEYSLOT', async () => {
    const keys = [
      '',
      'foo',
      '{user1}:a',
      'a{}b',
      '{}{x}',
      'a{}b{c}',
      'x{y',
      'ünïcödé',
      'p:$inited',
      '{p}:x',
    ];
    for (const key of keys) {
      expect(cluster.keySlot(key), key).toBe(
        Number(await cluster.nodes[0]!.redisCli('CLUSTER', 'KEYSLOT', key)),
      );
    }
    expect(cluster.keySlot('{user1}:a')).toBe(cluster.keySlot('{user1}:b'));
  });

  it('migrateSlot moves a slot with its keys to another primary while the cluster serves', async () => {
    const slot = cluster.keySlot('{moving}');
    const source = await cluster.primaryForSlot(slot);
    const keys = Array.from({ length: 250 }, (_, i) => `{moving}:${i}`);
    expect(await source.redisCli('MSET', ...keys.flatMap((key) => [key, 'v']))).toBe('OK');
    const others = cluster.nodes.filter((node) => node !== source);
    const roles = await Promise.all(others.map((node) => node.redisCli('ROLE')));
    const target = others.find((_, i) => roles[i]!.startsWith('master'))!;

    // A cluster-aware client keeps incrementing a counter in the slot during the move; it must
    // follow ASK/MOVED and lose no increment.
    let migrating = true;
    let increments = 0;
    const writer = (async () => {
      while (migrating) {
        expect(await source.redisCli('-c', 'INCR', '{moving}:counter')).toMatch(/^\d+$/);
        increments += 1;
      }
    })();
    const started = Date.now();
    const result = await cluster.migrateSlot(slot, source.port, target.port, {
      batchSize: 100,
      pauseBetweenBatchesMs: 30,
    });
    console.info(`migrated ${result.keysMoved} keys in ${Date.now() - started} ms`);
    migrating = false;
    await writer;
    expect(result.keysMoved).toBeGreaterThanOrEqual(250);
    expect(increments).toBeGreaterThan(0);
    expect(await target.redisCli('GET', '{moving}:counter')).toBe(String(increments));
    expect((await cluster.primaryForSlot(slot)).port).toBe(target.port);
    expect(await target.redisCli('CLUSTER', 'COUNTKEYSINSLOT', String(slot))).toBe('251');
    expect(await source.redisCli('CLUSTER', 'COUNTKEYSINSLOT', String(slot))).toBe('0');
    // A cluster-aware client asking the old owner is redirected to the new one.
    expect(await source.redisCli('-c', 'GET', '{moving}:7')).toBe('v');
  });

  it('killNode takes a primary down and its replica takes over', async () => {
    const slot = cluster.keySlot('{moving}');
    const primary = await cluster.primaryForSlot(slot);
    const started = Date.now();
    await cluster.killNode(primary.port);
    let owner = primary;
    while (owner.port === primary.port && Date.now() - started < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      owner = await cluster.primaryForSlot(slot);
    }
    console.info(`replica promoted ${Date.now() - started} ms after kill -9`);
    expect(owner.port).not.toBe(primary.port);
    expect(await owner.redisCli('GET', '{moving}:7')).toBe('v');
  });
});
