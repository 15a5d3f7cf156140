import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ContainerLabel } from '../src/docker.js';
import {
  HarnessError,
  HarnessErrorCode,
  type RedisContainer,
  type StartRedisContainerOptions,
  startContainerEngine,
  startRedisContainer,
  startRedisServer,
  whyNoContainerEngine,
} from '../src/index.js';
import { isPortFree } from '../src/leasePortBlock.js';
import { sweepDeadOwners } from '../src/sweepDeadOwners.js';

const run = promisify(execFile);
const noEngine = await whyNoContainerEngine();
if (noEngine !== undefined) console.warn(`container provider tests skipped: ${noEngine}`);

const started: RedisContainer[] = [];
async function start(options?: StartRedisContainerOptions): Promise<RedisContainer> {
  const container = await startRedisContainer(options);
  started.push(container);
  return container;
}
afterAll(async () => {
  await Promise.all(started.map((container) => container.stop()));
});

async function docker(...args: string[]): Promise<string> {
  const { dockerHost } = await startContainerEngine();
  const { stdout } = await run('docker', args, {
    env: { ...process.env, DOCKER_HOST: dockerHost },
  });
  return stdout.trim();
}

describe.skipIf(noEngine !== undefined)('startRedisContainer', () => {
  it('publishes Redis on a leased loopback port only, labelled with its owner; stop() removes it', async () => {
    const redis = await start({
      password: 'admin-secret',
      users: [{ name: 'app', password: 'app-secret', rules: ['~app:*', '+@all'] }],
    });
    expect(redis.host).toBe('127.0.0.1');
    expect(redis.port).toBeGreaterThanOrEqual(17_000);
    expect(redis.port).toBeLessThanOrEqual(31_000);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(redis.image).toMatch(/^stowage-redis:\d+\.\d+\.\d+$/);
    expect(await redis.redisCli('PING')).toBe('PONG');
    expect(await redis.redisCliAs('app', 'SET', 'app:k', 'v')).toBe('OK');
    expect(await redis.redisCliAs('app', 'GET', 'other:k')).toMatch(/^NOPERM/);

    const bindings = JSON.parse(
      await docker('inspect', '--format', '{{json .NetworkSettings.Ports}}', redis.containerId),
    );
    expect(bindings).toEqual({
      '6379/tcp': [{ HostIp: '127.0.0.1', HostPort: String(redis.port) }],
    });
    const labels = JSON.parse(
      await docker('inspect', '--format', '{{json .Config.Labels}}', redis.containerId),
    );
    expect(labels[ContainerLabel.ownerPid]).toBe(String(process.pid));
    expect(labels[ContainerLabel.ownerHost]).toBe(hostname());

    const { containerId, dir, port } = redis;
    await redis.stop();
    expect(redis.running).toBe(false);
    expect(await docker('ps', '-aq', '--filter', `id=${containerId}`)).toBe('');
    expect(existsSync(dir)).toBe(false);
    expect(await isPortFree(port)).toBe(true);
    await redis.stop();
  });

  it('kill() is a crash that keeps the port; restart() comes back on it; pause() freezes it', async () => {
    const redis = await start();
    const firstPid = redis.pid;
    expect(firstPid).toBeGreaterThan(0);
    await redis.kill();
    expect(redis.running).toBe(false);
    expect(await redis.state()).toMatchObject({ running: false, exitCode: 137 });
    await expect(redis.redisCli('PING')).rejects.toMatchObject({
      code: HarnessErrorCode.CommandFailed,
    });
    await redis.restart();
    expect(redis.running).toBe(true);
    expect(redis.pid).not.toBe(firstPid);
    expect(await redis.redisCli('PING')).toBe('PONG');
    expect(redis.logTail()).toMatch(/Ready to accept connections/);

    redis.pause();
    // As with a process: the connection is accepted, the command goes unanswered until resume().
    const frozen = redis.redisCli('PING');
    const outcome = await Promise.race([
      frozen.then(() => 'answered'),
      new Promise((resolve) => setTimeout(() => resolve('silent'), 300)),
    ]);
    expect(outcome).toBe('silent');
    redis.resume();
    expect(await frozen).toBe('PONG');
  });

  it('partition() drops packets inside the container: connections hang instead of failing; heal() resumes them', async () => {
    const redis = await start();
    await redis.partition();
    try {
      const began = Date.now();
      const reached = await run('redis-cli', ['-h', redis.host, '-p', String(redis.port), 'PING'], {
        timeout: 1_500,
      }).then(
        () => true,
        () => false,
      );
      expect(reached).toBe(false);
      // A refused connection fails at once; a blackhole only ends when the client gives up.
      expect(Date.now() - began).toBeGreaterThanOrEqual(1_400);
    } finally {
      await redis.heal();
    }
    expect(await redis.redisCli('PING')).toBe('PONG');
  });

  it('serves TLS only, with certificates generated for it', async () => {
    const redis = await start({ tls: {} });
    expect(redis.url).toBe(`rediss://127.0.0.1:${redis.port}`);
    expect(redis.tls?.ca).toMatch(/BEGIN CERTIFICATE/);
    expect(await redis.redisCli('PING')).toBe('PONG');
    expect(await redis.redisCli('CONFIG', 'GET', 'port')).toBe('port\n0');
  });

  it('is what startRedisServer starts with provider "container"', async () => {
    const redis = (await startRedisServer({ provider: 'container' })) as RedisContainer;
    started.push(redis);
    expect(redis.containerId).toMatch(/^[0-9a-f]{64}$/);
    expect(await redis.redisCli('PING')).toBe('PONG');
  });

  it('a start-up sweep removes containers whose owner died, and only those', async () => {
    const image = (await start()).image;
    const deadPid = await new Promise<number>((resolve) => {
      const child = spawn('true');
      child.once('exit', () => resolve(child.pid!));
    });
    const create = (ownerPid: number) =>
      docker(
        'create',
        '--label',
        `${ContainerLabel.ownerPid}=${ownerPid}`,
        '--label',
        `${ContainerLabel.ownerHost}=${hostname()}`,
        image,
      );
    const [orphan, alive] = await Promise.all([create(deadPid), create(process.pid)]);
    try {
      await sweepDeadOwners(await startContainerEngine(), { force: true });
      expect(await docker('ps', '-aq', '--no-trunc', '--filter', `id=${orphan}`)).toBe('');
      expect(await docker('ps', '-aq', '--no-trunc', '--filter', `id=${alive}`)).toBe(alive);
    } finally {
      await docker('rm', '-f', orphan, alive);
    }
  });

  it('a bad argument fails the start with the server log, and leaves no container behind', async () => {
    const own = () =>
      docker('ps', '-aq', '--filter', `label=${ContainerLabel.ownerPid}=${process.pid}`);
    const before = await own();
    const error = await startRedisContainer({
      args: ['--no-such-option', 'x'],
      startTimeoutMs: 5_000,
    }).catch((caught: unknown) => caught);
    expect(HarnessError.is(error), String(error)).toBe(true);
    expect((error as HarnessError).code).toBe(HarnessErrorCode.StartFailed);
    expect((error as HarnessError).message).toMatch(/no-such-option/);
    expect(await own()).toBe(before);
  });
});
