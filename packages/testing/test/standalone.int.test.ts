import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  findRedisBinaries,
  HarnessError,
  HarnessErrorCode,
  type RedisServer,
  startRedisServer,
} from '../src/index.js';
import { isPortFree } from '../src/leasePortBlock.js';
import { isProcessGone } from '../src/processState.js';

const run = promisify(execFile);
const started: RedisServer[] = [];
async function start(...args: Parameters<typeof startRedisServer>): Promise<RedisServer> {
  const server = await startRedisServer(...args);
  started.push(server);
  return server;
}
afterAll(async () => {
  await Promise.all(started.map((server) => server.stop()));
});

/** Resolves true when a TCP connection to the port is accepted within a short time. */
function accepts(port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

describe('startRedisServer', () => {
  it('starts on a leased loopback port and stop() kills it, frees the port and removes its folder', async () => {
    const server = await start();
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThanOrEqual(17_000);
    expect(server.port).toBeLessThanOrEqual(31_000);
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    expect(await server.redisCli('PING')).toBe('PONG');
    expect(await server.redisCli('CONFIG', 'GET', 'bind')).toBe('bind\n127.0.0.1');
    const { pid, dir, port } = server;

    await server.stop();
    expect(isProcessGone(pid)).toBe(true);
    expect(server.running).toBe(false);
    expect(await isPortFree(port)).toBe(true);
    expect(existsSync(dir)).toBe(false);
    await server.stop(); // idempotent
  });

  it('requires the password when one is set', async () => {
    const server = await start({ password: 'p4ss' });
    expect(await server.redisCli('SET', 'k', 'v')).toBe('OK');
    const { stdout } = await run(findRedisBinaries().cli, [
      '-h',
      '127.0.0.1',
      '-p',
      String(server.port),
      'GET',
      'k',
    ]);
    expect(stdout).toMatch(/^NOAUTH/);
  });

  it('creates ACL users whose key patterns are enforced', async () => {
    const server = await start({
      password: 'admin',
      users: [{ name: 'app', password: 'secret', rules: ['~app:*', '+@all', '-@dangerous'] }],
    });
    expect(await server.redisCliAs('app', 'SET', 'app:1', 'x')).toBe('OK');
    expect(await server.redisCliAs('app', 'SET', 'other:1', 'x')).toMatch(/^NOPERM/);
    expect(await server.redisCliAs('app', 'FLUSHALL')).toMatch(/^NOPERM/);
    expect(await server.redisCli('ACL', 'WHOAMI')).toBe('default');
  });

  it('restart() brings the server back on the same port with the same configuration', async () => {
    const server = await start({ password: 'pw', args: ['--maxmemory', '12mb'] });
    const { port, pid } = server;
    await server.restart();
    expect(server.port).toBe(port);
    expect(server.pid).not.toBe(pid);
    expect(isProcessGone(pid)).toBe(true);
    expect(await server.redisCli('CONFIG', 'GET', 'maxmemory')).toBe(
      `maxmemory\n${12 * 1024 * 1024}`,
    );
  });

  it('kill() crashes the server and restart() revives it', async () => {
    const server = await start();
    await server.kill();
    expect(server.running).toBe(false);
    expect(await accepts(server.port)).toBe(false);
    await server.restart();
    expect(await server.redisCli('PING')).toBe('PONG');
  });

  it('pause() freezes the server until resume()', async () => {
    const server = await start();
    server.pause();
    // The kernel still completes the TCP handshake, so probe with a command that must go unanswered.
    const frozen = server.redisCli('PING');
    const outcome = await Promise.race([
      frozen.then(() => 'answered'),
      new Promise((resolve) => setTimeout(() => resolve('silent'), 300)),
    ]);
    expect(outcome).toBe('silent');
    server.resume();
    expect(await frozen).toBe('PONG');
  });

  it('fails fast with the server log when the server cannot start', async () => {
    const started = Date.now();
    const error = await startRedisServer({ args: ['--no-such-option', 'x'] }).catch(
      (failure: unknown) => failure,
    );
    expect(HarnessError.is(error) && error.code).toBe(HarnessErrorCode.StartFailed);
    expect(String((error as Error).message)).toMatch(/no-such-option/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
