import { type RedisServer, startRedisServer } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuickstart } from '../src/runQuickstart.js';

// The quick start as the README runs it on Redis: one environment variable switches the driver.
let server: RedisServer;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.stop();
});

describe('the quick start on Redis', () => {
  it("runs with STOWAGE_DRIVER=redis, and a second instance hears of the first one's write", async () => {
    const lines: string[] = [];
    await runQuickstart({
      env: { STOWAGE_DRIVER: 'redis', STOWAGE_REDIS_URL: server.url, STOWAGE_PREFIX: 'quickstart' },
      watch: false,
      print: (line) => lines.push(line),
    });
    const output = lines.join('\n');
    expect(output).toContain('"driver":"redis"');
    expect(output).toContain('get new-checkout: v2 on  One-page checkout');
    expect(output).toContain('instance B reads new-checkout: v2 on  One-page checkout');
    expect(output).toContain('instance B hears: features new-checkout is now v3');
    expect(output).toContain('instance B reads new-checkout: v3 off One-page checkout (paused)');
    expect(output).toContain('status: available, feed live');
    expect(lines.at(-1)).toBe('closed');
  });
});
