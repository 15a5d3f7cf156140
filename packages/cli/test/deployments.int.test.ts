import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTableSql } from '@stowage/postgres';
import {
  leasePortBlock,
  type PortBlockLease,
  type RedisCluster,
  type RedisServer,
  type SentinelGroup,
  startCluster,
  startPostgresServer,
  startRedisServer,
  startSentinelGroup,
} from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { aclRules, SCRIPT_COMMANDS } from '../../redis/test/support/minimalAcl.js';
import { stowage } from './support/runStowage.js';

// `stowage doctor` against real servers, each set up to show a finding, and a copy from one
// topology to another. The standalone server is shared: a test that changes its configuration
// puts it back.
const ADMIN = 'admin-Secret-1';
let server: RedisServer;
let cluster: RedisCluster;
let sentinel: SentinelGroup;
let tlsServer: RedisServer;
let lease: PortBlockLease;
let dir: string;

const appUrl = () => `redis://app:app-Secret@127.0.0.1:${server.port}`;
const adminUrl = () => `redis://:${ADMIN}@127.0.0.1:${server.port}`;
const SEED = `${JSON.stringify({ kind: 'features', key: 'a', version: 1, deleted: false, item: '{"version":1}' })}\n${JSON.stringify({ kind: 'features', key: 'b', version: 2, deleted: true, item: '{"version":2,"deleted":true}' })}\n`;

/** The report's line for `check`: status, check and detail, spaces collapsed. */
const line = (stdout: string, check: string) =>
  stdout
    .split('\n')
    .find((text) => text.replace(/ +/g, ' ').split(' ').slice(1).join(' ').startsWith(`${check} `))
    ?.replace(/ +/g, ' ');

async function withConfig(name: string, value: string, test: () => Promise<void>): Promise<void> {
  const [, before] = (await server.redisCli('CONFIG', 'GET', name)).trim().split('\n');
  await server.redisCli('CONFIG', 'SET', name, value);
  try {
    await test();
  } finally {
    await server.redisCli('CONFIG', 'SET', name, before ?? '');
  }
}

beforeAll(async () => {
  [server, cluster, sentinel, tlsServer, lease] = await Promise.all([
    startRedisServer({
      password: ADMIN,
      args: ['--appendonly', 'yes'],
      users: [
        {
          name: 'app',
          password: 'app-Secret',
          // The app's minimal rule, and SCAN for listing kinds.
          rules: aclRules('app:*', [...SCRIPT_COMMANDS, '+scan']),
        },
        {
          name: 'limited',
          password: 'lim-Secret',
          // The minimal rule without EVAL and SPUBLISH, and no WATCH: no way to upsert.
          rules: aclRules(
            'app:*',
            SCRIPT_COMMANDS.filter((command) => command !== '+eval' && command !== '+spublish'),
          ),
        },
      ],
    }),
    startCluster(),
    startSentinelGroup(),
    startRedisServer({ tls: {} }),
    leasePortBlock(1),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'stowage-doctor-'));
  await writeFile(join(dir, 'seed.jsonl'), SEED);
  const seeded = await stowage([
    'import',
    join(dir, 'seed.jsonl'),
    '--replace',
    '-u',
    appUrl(),
    '-p',
    'app',
  ]);
  expect(seeded.code, seeded.stderr).toBe(0);
  await sentinel.waitForQuorum();
}, 60_000);

afterAll(async () => {
  await Promise.all([server?.stop(), cluster?.stop(), sentinel?.stop(), tlsServer?.stop()]);
  lease?.release();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('doctor on a standalone server', () => {
  it('finds nothing wrong with a durable server and a well-granted user (exit 0)', async () => {
    const run = await stowage(['doctor', '-u', appUrl(), '-p', 'app', '--admin-url', adminUrl()]);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain(
      `stowage doctor: redis standalone 127.0.0.1:${server.port} (no TLS, user app, password), prefix "app"`,
    );
    expect(line(run.stdout, 'version')).toMatch(/^ok version Redis 7\.\d+\.\d+ \(standalone\)$/);
    expect(line(run.stdout, 'latency')).toMatch(
      /^ok latency 20 round trips: p50 [\d.]+ ms, p99 [\d.]+ ms$/,
    );
    expect(line(run.stdout, 'rights: upsert')).toBe(
      'ok rights: upsert upserts use the compare-and-set script (EVALSHA, EVAL) (upsertStrategy auto)',
    );
    expect(line(run.stdout, 'rights: feed')).toBe(
      'ok rights: feed app may announce writes on app:$changes (SPUBLISH) and follow them (SSUBSCRIBE)',
    );
    expect(line(run.stdout, 'eviction')).toMatch(/^ok eviction maxmemory-policy noeviction, /);
    expect(line(run.stdout, 'persistence')).toMatch(/^ok persistence AOF(, RDB \(save [\d ]+\))?$/);
    expect(line(run.stdout, 'kind features')).toBe('ok kind features 1 items, 1 tombstones');
    expect(run.stdout).toMatch(/\d+ ok, 0 warnings, 0 errors, 0 not checked\n$/);
    expect(run.stdout).not.toContain('app-Secret');
    expect(run.stdout).not.toContain(ADMIN);
  });

  it('reports an allkeys-* policy as an error (exit 2)', async () => {
    await withConfig('maxmemory-policy', 'allkeys-lru', async () => {
      const run = await stowage(['doctor', '-u', appUrl(), '-p', 'app', '--admin-url', adminUrl()]);
      expect(run.code).toBe(2);
      expect(line(run.stdout, 'eviction')).toBe(
        "error eviction maxmemory-policy allkeys-lru can evict the store's keys without a word once memory is full",
      );
      expect(run.stdout).toContain('-> CONFIG SET maxmemory-policy noeviction');
    });
  });

  it('warns when persistence is off (exit 1), and when a noeviction server is full', async () => {
    await withConfig('appendonly', 'no', () =>
      withConfig('save', '', async () => {
        const run = await stowage([
          'doctor',
          '-u',
          appUrl(),
          '-p',
          'app',
          '--admin-url',
          adminUrl(),
        ]);
        expect(run.code).toBe(1);
        expect(line(run.stdout, 'persistence')).toBe(
          'warning persistence neither RDB snapshots nor AOF: a restart empties the store',
        );
      }),
    );
    await withConfig('maxmemory', '1', async () => {
      const run = await stowage(['doctor', '-u', appUrl(), '-p', 'app', '--admin-url', adminUrl()]);
      expect(run.code).toBe(1);
      expect(line(run.stdout, 'eviction')).toMatch(
        /^warning eviction maxmemory-policy noeviction and memory is full \(.+ used of 1 bytes\): writes are refused$/,
      );
    });
  });

  it("probes an ACL user's rights without admin rights, naming the rule to grant (exit 2)", async () => {
    const url = `redis://limited:lim-Secret@127.0.0.1:${server.port}`;
    const run = await stowage(['doctor', '-u', url, '-p', 'app']);
    expect(run.code).toBe(2);
    expect(line(run.stdout, 'rights: read')).toBe(
      'ok rights: read limited may run EXISTS, HGET, HGETALL on app:*',
    );
    expect(line(run.stdout, 'rights: upsert')).toBe(
      'error rights: upsert upsertStrategy auto needs EVALSHA and EVAL, or WATCH; limited may not run EVAL, WATCH',
    );
    expect(run.stdout).toContain('-> ACL SETUSER limited +eval (keys ~app:*)');
    expect(line(run.stdout, 'rights: feed')).toBe(
      'error rights: feed limited may not SPUBLISH on app:$changes: every write fails',
    );
    expect(run.stdout).toContain('-> ACL SETUSER limited +spublish &app:$changes (keys ~app:*)');
    expect(line(run.stdout, 'version')).toBe("unknown version the app's user may not run INFO");
    expect(line(run.stdout, 'eviction')).toBe(
      "unknown eviction needs CONFIG GET maxmemory-policy, which the app's user is not expected to have",
    );
    expect(line(run.stdout, 'rights: tools')).toMatch(
      /^unknown rights: tools limited may not run SCAN/,
    );
    const json = await stowage(['doctor', '-u', url, '-p', 'app', '--json', '--kinds', 'features']);
    const report = JSON.parse(json.stdout);
    expect(json.code).toBe(2);
    expect(report.exitCode).toBe(2);
    expect(report.findings).toContainEqual({
      check: 'rights: upsert',
      status: 'error',
      detail:
        'upsertStrategy auto needs EVALSHA and EVAL, or WATCH; limited may not run EVAL, WATCH',
      fix: 'ACL SETUSER limited +eval (keys ~app:*)',
    });
    expect(report.findings).toContainEqual({
      check: 'kind features',
      status: 'ok',
      detail: '1 items, 1 tombstones',
    });
  });

  it('stops at an unreachable server or refused credentials (exit 2)', async () => {
    const port = await lease.next();
    const down = await stowage(['doctor', '-u', `redis://127.0.0.1:${port}`], {
      env: { STOWAGE_REDIS_CONNECT_TIMEOUT_MS: '300' },
    });
    expect(down.code).toBe(2);
    expect(down.stdout).toMatch(
      /^error +reachability +Redis isInitialized failed: the server could not be reached/m,
    );
    expect(down.stdout).toMatch(/0 ok, 0 warnings, 1 errors, 0 not checked\n$/);
    const wrong = await stowage(['doctor', '-u', `redis://app:wrong-one@127.0.0.1:${server.port}`]);
    expect(wrong.code).toBe(2);
    expect(line(wrong.stdout, 'auth')).toMatch(
      /^error auth Redis isInitialized failed: the server refused the credentials/,
    );
    expect(wrong.stdout).not.toContain('wrong-one');
  });
});

describe('doctor on a cluster, Sentinel and TLS', () => {
  it('copy moves the store from the standalone server into the cluster', async () => {
    const url = `redis+cluster://${cluster.startupNodes.map(({ host, port }) => `${host}:${port}`).join(',')}`;
    const run = await stowage([
      'copy',
      '--from',
      appUrl(),
      '--from-prefix',
      'app',
      '--to',
      url,
      '--to-prefix',
      'moved',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      kinds: 1,
      records: 2,
      verified: true,
      sourceChanged: false,
    });
    const inspect = await stowage(['inspect', '-u', url, '-p', 'moved', '--json']);
    expect(JSON.parse(inspect.stdout)).toMatchObject({
      initialized: true,
      kinds: [{ kind: 'features', items: 1, tombstones: 1 }],
    });
  });

  it('copy moves the store from Redis into PostgreSQL, which reads it back identically', async () => {
    const postgres = await startPostgresServer();
    try {
      // The app's role may not run DDL: the table is made once, from the README's statement.
      await postgres.query(createTableSql('public.stowage_items'));
      const run = await stowage([
        'copy',
        '--from',
        appUrl(),
        '--from-prefix',
        'app',
        '--to',
        postgres.url,
        '--to-prefix',
        'moved',
        '--json',
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout + run.stderr).not.toContain(postgres.password);
      expect(JSON.parse(run.stdout)).toMatchObject({ kinds: 1, records: 2, verified: true });
      const [from, to] = await Promise.all([
        stowage(['export', '-u', appUrl(), '-p', 'app']),
        stowage(['export', '-u', postgres.url, '-p', 'moved']),
      ]);
      expect(to.code, to.stderr).toBe(0);
      expect(to.stdout).toBe(from.stdout);
    } finally {
      await postgres.stop();
    }
  });

  it('names the shard of the store slot, and reports an uncovered slot (exit 2)', async () => {
    const url = `redis+cluster://${cluster.startupNodes.map(({ host, port }) => `${host}:${port}`).join(',')}`;
    const healthy = await stowage(['doctor', '-u', url, '-p', 'app']);
    const slot = cluster.keySlot('{app}:');
    expect(line(healthy.stdout, 'cluster state')).toBe(
      'ok cluster state cluster_state ok, 6 nodes',
    );
    expect(line(healthy.stdout, 'slot coverage')).toBe(
      'ok slot coverage all 16384 slots are served',
    );
    const owner = await cluster.primaryForSlot(slot);
    // A replica is listed in CLUSTER SLOTS once it has synced: its count is not checked.
    expect(line(healthy.stdout, 'store slot')).toMatch(
      new RegExp(
        `^ok store slot slot ${slot} \\(\\{app\\}\\) on 127\\.0\\.0\\.1:${owner.port} with [01] replicas$`,
      ),
    );
    // The owner first, so that no node learns the slot back from its heartbeats; then wait until
    // every node sees it unassigned.
    for (const node of [owner, ...cluster.nodes.filter((n) => n !== owner)]) {
      await node.redisCli('CLUSTER', 'DELSLOTS', String(slot));
    }
    await vi.waitFor(
      async () => {
        for (const node of cluster.nodes) {
          expect(await node.redisCli('CLUSTER', 'INFO')).toContain('cluster_slots_assigned:16383');
        }
      },
      { timeout: 10_000, interval: 200 },
    );
    const broken = await stowage(['doctor', '-u', url, '-p', 'app']);
    expect(broken.code).toBe(2);
    expect(line(broken.stdout, 'slot coverage')).toBe(
      'warning slot coverage 1 of 16384 slots have no node: keys in them cannot be read or written',
    );
    expect(line(broken.stdout, 'store slot')).toBe(
      `error store slot slot ${slot}, which holds every key of the store ({app}), has no node: every operation fails`,
    );
  });

  it("checks every sentinel's quorum and the primary they name", async () => {
    const url = `redis+sentinel://${sentinel.sentinels.map(({ host, port }) => `${host}:${port}`).join(',')}/${sentinel.name}`;
    const run = await stowage(['doctor', '-u', url, '-p', 'app']);
    const primary = await sentinel.primary();
    for (const { port } of sentinel.sentinels) {
      expect(line(run.stdout, `sentinel 127.0.0.1:${port}`)).toBe(
        `ok sentinel 127.0.0.1:${port} 3 usable Sentinels. Quorum and failover authorization can be reached; primary 127.0.0.1:${primary.port}`,
      );
    }
  });

  it('reads the days left on the server certificate', async () => {
    const config = join(dir, 'tls.json');
    await writeFile(
      config,
      JSON.stringify({
        driver: 'redis',
        redis: { url: tlsServer.url, tls: { ca: tlsServer.tls?.ca } },
      }),
    );
    const run = await stowage(['doctor', '--config', config]);
    expect(line(run.stdout, 'tls')).toMatch(
      /^ok tls server certificate expires in (29|30) days \(\d{4}-\d\d-\d\d\)$/,
    );
    expect(line(run.stdout, 'transport')).toBe(
      'ok transport loopback only: a password and TLS are optional here',
    );
  });
});
