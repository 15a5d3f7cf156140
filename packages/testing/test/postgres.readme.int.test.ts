// The block between the markers is the README's PostgreSQL example, verbatim (checked by the test at
// the end), so the documented code is type-checked and run like any other test.
// README-POSTGRES-EXAMPLE-START

import { type PostgresServer, startPostgresServer } from '@stowage/testing';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';

let postgres: PostgresServer;

beforeAll(async () => {
  postgres = await startPostgresServer({ users: [{ name: 'app', password: 'app-secret' }] });
  await postgres.query('CREATE TABLE items (key text PRIMARY KEY, value text)');
  await postgres.query('GRANT SELECT ON items TO app');
});

afterAll(async () => {
  await postgres.stop();
});

it('lets the app role read the table but not write it', async () => {
  const { host, port, database } = postgres;
  const app = new pg.Client({ host, port, database, user: 'app', password: 'app-secret' });
  await app.connect();
  try {
    expect((await app.query('SELECT count(*)::int AS n FROM items')).rows).toEqual([{ n: 0 }]);
    await expect(app.query("INSERT INTO items VALUES ('k', 'v')")).rejects.toMatchObject({
      code: '42501', // insufficient_privilege
    });
  } finally {
    await app.end();
  }
  // Hand postgres.url (the superuser) or a role's own settings to the client under test.
});

// README-POSTGRES-EXAMPLE-END

import { readFileSync } from 'node:fs';

it('the README PostgreSQL example is the code above', () => {
  const read = (name: string) => readFileSync(new URL(name, import.meta.url), 'utf8');
  const snippet = /## PostgreSQL[\s\S]*?```ts\n([\s\S]*?)```/.exec(read('../README.md'))?.[1];
  const example =
    /\/\/ README-POSTGRES-EXAMPLE-START\n([\s\S]*?)\/\/ README-POSTGRES-EXAMPLE-END/.exec(
      read('./postgres.readme.int.test.ts'),
    )?.[1];
  expect(snippet).toBeDefined();
  expect(snippet?.trim()).toBe(example?.trim());
});
