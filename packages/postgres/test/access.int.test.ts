import { startPostgresServer } from '@stowage/testing';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresDriver,
  createTableSql,
  grantSql,
  type PostgresDataStore,
  type PostgresDriverOptions,
} from '../src/index.js';
import { errorText, expectCode, item } from './support/errors.js';
import { useTableServer } from './support/tableServer.js';

const kind = { namespace: 'features' };
const APP = { name: 'app', password: 'app-secret-7d1f' };
const NOBODY = { name: 'nobody', password: 'nobody-secret-91c2' };
const file = useTableServer(() => startPostgresServer({ users: [APP, NOBODY] }));

/** A store on the server's URL with the role the options give (they win over the URL's). */
const open = (options: PostgresDriverOptions): PostgresDataStore => file.open(options);

beforeAll(async () => {
  // Exactly the GRANTs the README documents, and nothing else.
  for (const statement of grantSql('"public"."stowage_items"', 'public', '"app"').split(';\n')) {
    await file.server.query(statement);
  }
  await file.server.query('REVOKE ALL ON SCHEMA public FROM PUBLIC');
  await file.server.query('GRANT USAGE ON SCHEMA public TO nobody');
});

describe('rights', () => {
  it('a role with only the documented GRANTs runs every operation, the feed included', async () => {
    const store = open({ user: APP.name, password: APP.password, prefix: 'granted' });
    const events: string[] = [];
    const subscription = store.changeFeed.events$.subscribe((event) => events.push(event.type));
    await store.init([{ kind, items: [['a', item('a', 1)]] }]);
    expect(await store.upsert(kind, 'b', item('b', 2))).toEqual({ applied: true });
    expect(await store.get(kind, 'a')).toEqual(item('a', 1));
    expect((await store.getAll(kind)).size).toBe(2);
    expect(await store.listKinds()).toEqual([kind]);
    expect(await store.isInitialized()).toBe(true);
    await expect.poll(() => events, { timeout: 5_000 }).toEqual(['init', 'upsert']);
    subscription.unsubscribe();
  });

  it('a role without them fails with permission, naming the GRANTs', async () => {
    const store = open({ user: NOBODY.name, password: NOBODY.password, prefix: 'refused' });
    const error = await expectCode(store.get(kind, 'a'), 'permission');
    expect(error.message).toContain('GRANT SELECT, INSERT, UPDATE, DELETE');
    await expectCode(store.upsert(kind, 'a', item('a', 1)), 'permission');
  });

  it('a wrong password fails with auth, and the password is nowhere in the error', async () => {
    const wrong = 'wrong-password-5e3a';
    const store = open({ user: APP.name, password: wrong, prefix: 'auth' });
    const error = await expectCode(store.get(kind, 'a'), 'auth');
    expect(errorText(error)).not.toContain(wrong);
    const { host, port, database } = file.server;
    const byUrl = file.open({ url: `postgresql://app:${wrong}@${host}:${port}/${database}` });
    const fromUrl = await expectCode(byUrl.upsert(kind, 'a', item('a', 1)), 'auth');
    expect(errorText(fromUrl)).not.toContain(wrong);
    expect(await byUrl.isAvailable()).toBe(false);
  });
});

describe('the table layout', () => {
  it('a missing table is a config error quoting the CREATE statement', async () => {
    const store = open({
      user: file.server.user,
      password: file.server.password,
      table: 'public.absent',
    });
    const error = await expectCode(store.get(kind, 'a'), 'config');
    expect(error.message).toContain(createTableSql('"public"."absent"'));
  });

  it('a table of another layout is a config error quoting the CREATE statement, and is left as it is', async () => {
    await file.server.query(
      'CREATE TABLE public.other_layout (prefix text, kind text, key text, item text)',
    );
    const store = open({
      user: file.server.user,
      password: file.server.password,
      table: 'public.other_layout',
    });
    const error = await expectCode(store.get(kind, 'a'), 'config');
    expect(error.message).toContain(createTableSql('"public"."other_layout"'));
    expect(error.message).toContain('column key is text, not bytea');
    const { rows } = await file.server.query(
      "SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'other_layout'",
    );
    expect(rows[0]).toEqual({ n: 4 });
  });

  it('createTables makes the table in a schema of its own, and keys of 8 KiB with NUL round-trip', async () => {
    await file.server.query('CREATE SCHEMA stowage');
    const store = open({
      user: file.server.user,
      password: file.server.password,
      table: 'stowage.items',
      createTables: true,
    });
    const key = `a\u0000${'é'.repeat(4_095)}`;
    expect(Buffer.byteLength(key)).toBe(8_192);
    expect(await store.upsert(kind, key, item('x', 1))).toEqual({ applied: true });
    expect(await store.get(kind, key)).toEqual(item('x', 1));
    expect([...(await store.getAll(kind)).keys()]).toEqual([key]);
    expect(await store.get(kind, key.slice(0, -1))).toBeUndefined();
  });
});

describe('a pool handed in', () => {
  it('serves the store and the feed, and stays open after close()', async () => {
    const pool = new pg.Pool({ connectionString: file.server.url, max: 2 });
    try {
      const store = createPostgresDriver({ pool, prefix: 'handed-in' });
      const events: string[] = [];
      const subscription = store.changeFeed.events$.subscribe((event) => events.push(event.type));
      await store.upsert(kind, 'a', item('a', 1));
      await expect.poll(() => events, { timeout: 5_000 }).toEqual(['upsert']);
      subscription.unsubscribe();
      await store.close();
      await expectCode(store.get(kind, 'a'), 'closed');
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });
});
