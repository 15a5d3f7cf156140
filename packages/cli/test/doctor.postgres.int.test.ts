import { createTableSql } from '@stowage/postgres';
import { type PostgresServer, startPostgresServer } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stowage } from './support/runStowage.js';

// `stowage doctor` against a PostgreSQL the test starts: a healthy store, then each thing an
// operator gets wrong (no table, no rights, a wrong password), each named with what to run.
let server: PostgresServer;
const SEED = `${JSON.stringify({ kind: 'features', key: 'a', version: 1, deleted: false, item: '{"version":1}' })}\n${JSON.stringify({ kind: 'features', key: 'b', version: 2, deleted: true, item: '{"version":2,"deleted":true}' })}\n`;

/** The report's line for `check`: status, check and detail, spaces collapsed. */
const line = (stdout: string, check: string) =>
  stdout
    .split('\n')
    .map((text) => text.replace(/ +/g, ' '))
    .find((text) => text.split(' ').slice(1).join(' ').startsWith(`${check} `));

const urlOf = (user: string, password: string) =>
  `postgresql://${user}:${password}@127.0.0.1:${server.port}/${server.database}`;

beforeAll(async () => {
  server = await startPostgresServer({
    users: [
      { name: 'app', password: 'app-Secret' },
      { name: 'stranger', password: 'str-Secret' },
    ],
  });
  await server.query(createTableSql('public.stowage_items'));
  await server.query('GRANT SELECT, INSERT, UPDATE, DELETE ON public.stowage_items TO app');
  const seeded = await stowage(
    ['import', '--replace', '-u', urlOf('app', 'app-Secret'), '-p', 'app'],
    {
      input: SEED,
    },
  );
  expect(seeded.code, seeded.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('doctor on PostgreSQL', () => {
  it('reports a healthy store: transport, a live feed, its kinds (exit 0)', async () => {
    const run = await stowage(['doctor', '-u', urlOf('app', 'app-Secret'), '-p', 'app']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(
      `stowage doctor: postgres 127.0.0.1:${server.port}/${server.database} (no TLS, user app, password), table "public"."stowage_items", prefix "app"`,
    );
    expect(line(run.stdout, 'transport')).toBe(
      'ok transport loopback only: a password and TLS are optional here',
    );
    expect(line(run.stdout, 'feed')).toBe(
      "ok feed live: every instance's cache hears the others' writes",
    );
    expect(line(run.stdout, 'store')).toBe('ok store initialized');
    expect(line(run.stdout, 'kind features')).toBe('ok kind features 1 items, 1 tombstones');
    expect(run.stdout).not.toContain('app-Secret');
  });

  it('names the CREATE statement for a missing table, the GRANTs for a role without rights (exit 2)', async () => {
    const missing = await stowage(['doctor', '-u', urlOf('app', 'app-Secret'), '-p', 'app'], {
      env: { STOWAGE_POSTGRES_TABLE: 'other_items' },
    });
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain('PostgreSQL table "public"."other_items" does not exist');
    expect(missing.stdout).toContain('CREATE TABLE IF NOT EXISTS "public"."other_items"');
    const stranger = await stowage(['doctor', '-u', urlOf('stranger', 'str-Secret'), '-p', 'app']);
    expect(stranger.code).toBe(2);
    expect(line(stranger.stdout, 'rights: read')).toMatch(
      /^error rights: read .*PostgreSQL role lacks rights on "public"."stowage_items"/,
    );
    expect(stranger.stdout).toContain(
      'GRANT SELECT, INSERT, UPDATE, DELETE ON "public"."stowage_items" TO <role>',
    );
  });

  it('stops at a refused password without showing it (exit 2)', async () => {
    const run = await stowage(['doctor', '-u', urlOf('app', 'wrong-One'), '-p', 'app']);
    expect(run.code).toBe(2);
    expect(line(run.stdout, 'auth')).toMatch(
      /^error auth PostgreSQL isInitialized failed, the server refused the credentials: password authentication failed for user "app"$/,
    );
    expect(run.stdout + run.stderr).not.toContain('wrong-One');
  });

  it('refuses a URL asking for opportunistic TLS before connecting (exit 2)', async () => {
    const run = await stowage([
      'doctor',
      '-u',
      `${urlOf('app', 'app-Secret')}?sslmode=prefer`,
      '-p',
      'app',
    ]);
    expect(run.code, run.stdout).not.toBe(0);
    expect(run.stderr + run.stdout).toContain('sslmode=prefer falls back to a plain connection');
    expect(run.stdout + run.stderr).not.toContain('app-Secret');
  });
});
