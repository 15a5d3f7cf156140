import {
  type PostgresServer,
  type RedisServer,
  startPostgresServer,
  startRedisServer,
} from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuickstart } from '../src/runQuickstart.js';

// The quick start as the README runs it on Redis and on PostgreSQL: environment variables switch
// the driver.
let server: RedisServer;
let postgres: PostgresServer;

beforeAll(async () => {
  [server, postgres] = await Promise.all([startRedisServer(), startPostgresServer()]);
});

afterAll(async () => {
  await Promise.all([server?.stop(), postgres?.stop()]);
});

/** What every run of the quick start must print, whatever the driver. */
function expectTheStory(lines: ReadonlyArray<string>, driver: string) {
  const output = lines.join('\n');
  expect(output).toContain(`"driver":"${driver}"`);
  expect(output).toContain('get new-checkout: v2 on  One-page checkout');
  expect(output).toContain('instance B reads new-checkout: v2 on  One-page checkout');
  expect(output).toContain('instance B hears: features new-checkout is now v3');
  expect(output).toContain('instance B reads new-checkout: v3 off One-page checkout (paused)');
  expect(output).toContain('status: available, feed live');
  expect(lines.at(-1)).toBe('closed');
}

describe('the quick start on another driver', () => {
  it("runs with STOWAGE_DRIVER=redis, and a second instance hears of the first one's write", async () => {
    const lines: string[] = [];
    await runQuickstart({
      env: { STOWAGE_DRIVER: 'redis', STOWAGE_REDIS_URL: server.url, STOWAGE_PREFIX: 'quickstart' },
      watch: false,
      print: (line) => lines.push(line),
    });
    expectTheStory(lines, 'redis');
  });

  it('runs with STOWAGE_DRIVER=postgres, the table created on start', async () => {
    const lines: string[] = [];
    await runQuickstart({
      env: {
        STOWAGE_DRIVER: 'postgres',
        STOWAGE_POSTGRES_URL: postgres.url,
        STOWAGE_POSTGRES_CREATE_TABLES: 'true',
        STOWAGE_PREFIX: 'quickstart',
      },
      watch: false,
      print: (line) => lines.push(line),
    });
    expectTheStory(lines, 'postgres');
    expect(lines.join('\n')).not.toContain(postgres.password);
  });
});
