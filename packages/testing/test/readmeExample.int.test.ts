// The block between the markers is the README's quick-start example, verbatim (readme.test.ts checks
// that), so the documented code is type-checked and run like any other test.
// README-EXAMPLE-START

import { type RedisServer, startRedisServer } from '@stowage/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedisServer({
    password: 'admin-secret',
    users: [{ name: 'app', password: 'app-secret', rules: ['~app:*', '+@all', '-@dangerous'] }],
  });
});

afterAll(async () => {
  await redis.stop();
});

it('keeps the app user inside its key prefix', async () => {
  expect(await redis.redisCliAs('app', 'SET', 'app:greeting', 'hello')).toBe('OK');
  expect(await redis.redisCliAs('app', 'GET', 'other:key')).toMatch(/^NOPERM/);
  // Hand redis.host, redis.port and redis.url to the client under test.
});
// README-EXAMPLE-END
