import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { locateRedisBinaries } from '../src/findRedisBinaries.js';
import {
  findRedisBinaries,
  HarnessError,
  HarnessErrorCode,
  leasePortBlock,
  type RedisServer,
  startRedisServer,
} from '../src/index.js';

const privateLocks = mkdtempSync(join(tmpdir(), 'stowage-port-locks-test-'));
afterAll(() => rmSync(privateLocks, { recursive: true, force: true }));

function codeOf(error: unknown): string | undefined {
  return HarnessError.is(error) ? error.code : undefined;
}

describe('leasePortBlock', () => {
  it('leases disjoint blocks inside 17000-31000 and releases them', async () => {
    const [a, b] = await Promise.all([leasePortBlock(), leasePortBlock()]);
    try {
      expect(a.ports).toHaveLength(50);
      for (const port of [...a.ports, ...b.ports]) {
        expect(port).toBeGreaterThanOrEqual(17_000);
        expect(port).toBeLessThanOrEqual(31_000);
      }
      expect(a.ports.filter((port) => b.ports.includes(port))).toEqual([]);
      const first = await a.next();
      expect(a.ports).toContain(first);
      expect(await a.next()).not.toBe(first);
    } finally {
      a.release();
      b.release();
    }
  });

  it('skips slabs locked by a live process and reclaims them once it is dead', async () => {
    const range = { first: 30_900, last: 30_919 };
    const options = { range, lockDir: privateLocks };
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    const foreignLock = join(privateLocks, 'ports-30900');
    mkdirSync(foreignLock);
    writeFileSync(join(foreignLock, 'owner'), `${other.pid}\n`);

    const lease = await leasePortBlock(10, options);
    expect(lease.ports[0]).toBe(30_910);
    expect(readFileSync(join(privateLocks, 'ports-30910', 'owner'), 'utf8').trim()).toBe(
      String(process.pid),
    );
    expect(codeOf(await leasePortBlock(10, options).catch((e: unknown) => e))).toBe(
      HarnessErrorCode.PortsExhausted,
    );

    await new Promise((resolve) => {
      other.once('exit', resolve);
      other.kill('SIGKILL');
    });
    const reclaimed = await leasePortBlock(10, options);
    expect(reclaimed.ports[0]).toBe(30_900);
    lease.release();
    reclaimed.release();
    expect(existsSync(join(privateLocks, 'ports-30900'))).toBe(false);
    expect(existsSync(join(privateLocks, 'ports-30910'))).toBe(false);
  });

  it('rejects ranges outside 1024-65535', async () => {
    const error = await leasePortBlock(10, { range: { first: 80, last: 100 } }).catch(
      (e: unknown) => e,
    );
    expect(codeOf(error)).toBe(HarnessErrorCode.InvalidOptions);
  });
});

describe('parallel harness use', () => {
  const servers: RedisServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  it('never gives two servers started at once the same port', async () => {
    const started = await Promise.all(Array.from({ length: 12 }, () => startRedisServer()));
    servers.push(...started);
    expect(new Set(started.map((server) => server.port)).size).toBe(12);
    // Each port is answered by the process the harness started for it.
    for (const server of started) {
      expect(await server.redisCli('INFO', 'server')).toContain(`process_id:${server.pid}`);
    }
  });
});

describe('findRedisBinaries', () => {
  it('finds redis-server and redis-cli, and a way to run a sentinel', () => {
    const binaries = findRedisBinaries();
    expect(binaries.server).toMatch(/redis-(server|check-rdb)$/);
    expect(binaries.serverArgv0).toBe('redis-server');
    expect(binaries.cli).toMatch(/redis-cli$/);
    expect(binaries.sentinel.command).toMatch(/redis-(server|check-rdb|sentinel)$/);
  });

  it('names the package to install when the binaries are missing', () => {
    let error: unknown;
    try {
      locateRedisBinaries([privateLocks]);
    } catch (failure) {
      error = failure;
    }
    expect(codeOf(error)).toBe(HarnessErrorCode.BinaryMissing);
    expect((error as Error).message).toContain('redis-tools');
  });

  it("runs Debian redis-tools' redis-check-rdb as the server when redis-server is absent", async () => {
    const { server, cli } = findRedisBinaries();
    const onlyTools = join(privateLocks, 'redis-tools-only');
    mkdirSync(onlyTools);
    // The same binary under redis-tools' name, as a machine with only that package has it.
    symlinkSync(server, join(onlyTools, 'redis-check-rdb'));
    symlinkSync(cli, join(onlyTools, 'redis-cli'));
    const located = locateRedisBinaries([onlyTools]);
    expect(located.server).toBe(join(onlyTools, 'redis-check-rdb'));
    expect(located.sentinel).toMatchObject({ argv0: 'redis-server', extraArgs: ['--sentinel'] });
    const version = await new Promise<string>((resolve, reject) => {
      const child = spawn(located.server, ['--version'], { argv0: located.serverArgv0 });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.once('error', reject);
      child.once('close', () => resolve(out));
    });
    expect(version).toMatch(/^Redis server v=/);
  });
});
