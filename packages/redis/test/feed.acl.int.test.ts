import { StoreErrorCode, StowageError } from '@stowage/core';
import { type RedisServer, startRedisServer } from '@stowage/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRedisDriver, type RedisDataStore, type RedisDriverOptions } from '../src/index.js';
import { adminClient } from './support/adminClient.js';
import { recordFeed } from './support/feedRecorder.js';
import { features, item } from './support/items.js';
import { SCRIPT_COMMANDS, WATCH_COMMANDS } from './support/minimalAcl.js';

// A writer needs `+spublish &<channel>`, a reader of the feed `+ssubscribe &<channel>`. A missing
// right fails with a `permission` error naming the rule, and nothing is written (the announcement
// is refused before the write: first in the script, checked when the MULTI is queued).
const PREFIX = 'pf';
const CHANNEL = 'pf:$changes';
const PASSWORD = 'app-secret';
const BOUND_MS = 5000;
const EVERY = [...new Set([...SCRIPT_COMMANDS, ...WATCH_COMMANDS])];
const without = (command: string) => EVERY.filter((c) => c !== command);

let server: RedisServer;
const stores: RedisDataStore[] = [];

beforeAll(async () => {
  server = await startRedisServer({
    password: 'admin-secret',
    users: [
      { name: 'full', password: PASSWORD, rules: [`~${PREFIX}:*`, `&${CHANNEL}`, ...EVERY] },
      {
        name: 'nospublish',
        password: PASSWORD,
        rules: [`~${PREFIX}:*`, `&${CHANNEL}`, '-@all', ...without('+spublish')],
      },
      {
        name: 'nochannel',
        password: PASSWORD,
        rules: [`~${PREFIX}:*`, 'resetchannels', '-@all', ...EVERY],
      },
      {
        name: 'nossubscribe',
        password: PASSWORD,
        rules: [`~${PREFIX}:*`, `&${CHANNEL}`, '-@all', ...without('+ssubscribe')],
      },
    ],
  });
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await server?.stop();
});

function open(username: string, options: RedisDriverOptions = {}): RedisDataStore {
  const store = createRedisDriver({
    host: server.host,
    port: server.port,
    username,
    password: PASSWORD,
    prefix: PREFIX,
    ...options,
  });
  stores.push(store);
  return store;
}

async function refusal(pending: Promise<unknown>): Promise<StowageError> {
  try {
    await pending;
  } catch (error) {
    if (StowageError.is(error)) return error;
    throw error;
  }
  throw new Error('the write was not refused');
}

for (const user of ['nospublish', 'nochannel']) {
  for (const upsertStrategy of ['script', 'watch', 'auto'] as const) {
    it(`a writer without ${user === 'nospublish' ? '+spublish' : `&${CHANNEL}`} (${upsertStrategy}): upsert and init fail with permission naming the rule, nothing is written`, async () => {
      const store = open(user, { upsertStrategy });
      const admin = adminClient(server);
      try {
        const upsert = await refusal(store.upsert(features, 'a', item('a', 1)));
        expect(upsert.code, upsert.message).toBe(StoreErrorCode.Permission);
        expect(upsert.message).toContain(`+spublish &${CHANNEL}`);
        const init = await refusal(store.init([{ kind: features, items: [['b', item('b', 1)]] }]));
        expect(init.code, init.message).toBe(StoreErrorCode.Permission);
        expect(init.message).toContain(`+spublish &${CHANNEL}`);
        expect(await admin.hgetall(`${PREFIX}:features`)).toEqual({});
        expect(await admin.exists(`${PREFIX}:$inited`)).toBe(0);
      } finally {
        admin.disconnect();
      }
    });
  }
}

for (const user of ['nossubscribe', 'nochannel']) {
  it(`a reader without ${user === 'nossubscribe' ? '+ssubscribe' : `&${CHANNEL}`}: events$ fails with permission naming the rule`, async () => {
    const store = open(user);
    const feed = recordFeed(store.changeFeed);
    await feed.until(() => feed.error() !== undefined, BOUND_MS, 'the refusal');
    const error = feed.error();
    expect(StowageError.is(error, StoreErrorCode.Permission)).toBe(true);
    expect((error as Error).message).toContain(`+ssubscribe &${CHANNEL}`);
    expect(feed.live.at(-1)).toBe(false);
    // A later observer is told the same at once.
    const late = recordFeed(store.changeFeed);
    expect(StowageError.is(late.error(), StoreErrorCode.Permission)).toBe(true);
    // Writing needs no SSUBSCRIBE: the user's writes still go through, announced.
    if (user === 'nossubscribe') {
      expect(await store.upsert(features, `w-${user}`, item('w', 1))).toEqual({ applied: true });
    }
  });
}

it('a user with both rules writes and follows the feed', async () => {
  const store = open('full');
  const feed = recordFeed(store.changeFeed);
  await feed.untilLive(BOUND_MS);
  await store.upsert(features, 'ok', item('ok', 1));
  await feed.until(() => feed.events.length === 1, BOUND_MS, 'the event');
  expect(feed.events[0]).toMatchObject({ type: 'upsert', key: 'ok', version: 1, own: true });
});
