import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SentinelGroup, startSentinelGroup } from '../src/index.js';

describe('startSentinelGroup', () => {
  let group: SentinelGroup;

  beforeAll(async () => {
    const started = Date.now();
    group = await startSentinelGroup({ password: 'data-pw', sentinelPassword: 'sentinel-pw' });
    console.info(`sentinel group started in ${Date.now() - started} ms`);
  });
  afterAll(async () => {
    const started = Date.now();
    await group?.stop();
    console.info(`sentinel group stopped in ${Date.now() - started} ms`);
  });

  it('starts a primary with two synced replicas and three sentinels that agree on it', async () => {
    expect(group.name).toBe('mymaster');
    expect(group.nodes).toHaveLength(3);
    expect(group.sentinels).toHaveLength(3);
    const primary = await group.primary();
    expect(primary.port).toBe(group.nodes[0]!.port);
    expect(await primary.redisCli('SET', 'greeting', 'hello')).toBe('OK');
    expect(await primary.redisCli('WAIT', '2', '2000')).toBe('2');
    const replica = group.nodes[1]!;
    expect(await replica.redisCli('GET', 'greeting')).toBe('hello');
    expect(await replica.redisCli('ROLE')).toMatch(/^slave/);
    // The sentinels require their own password.
    expect(await group.sentinelCli('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')).toBe(
      `127.0.0.1\n${primary.port}`,
    );
  });

  it('promotes a replica on a graceful failover', async () => {
    let started = Date.now();
    await group.waitForQuorum();
    console.info(`sentinels reached quorum in ${Date.now() - started} ms`);
    started = Date.now();
    const old = await group.failover();
    const next = await group.waitForNewPrimary(old.port);
    console.info(`graceful failover took ${Date.now() - started} ms`);
    expect(next.port).not.toBe(old.port);
    expect(await next.redisCli('GET', 'greeting')).toBe('hello');
  });

  it('promotes a replica when the primary is killed', async () => {
    const started = Date.now();
    const killed = await group.killPrimary();
    const next = await group.waitForNewPrimary(killed.port);
    console.info(`failover after kill -9 took ${Date.now() - started} ms`);
    expect(await next.redisCli('SET', 'after', 'kill')).toBe('OK');
    // The old primary comes back and is turned into a replica by the sentinels.
    await killed.restart();
    expect(killed.running).toBe(true);
  });
});
