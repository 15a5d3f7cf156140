import { existsSync, readFileSync, statSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  HarnessError,
  HarnessErrorCode,
  type PostgresServer,
  startPostgresServer,
} from '../src/index.js';
import { isPortFree } from '../src/leasePortBlock.js';
import { childPids } from '../src/postgres/processTree.js';
import { isProcessGone } from '../src/processState.js';

const started: PostgresServer[] = [];
async function start(...args: Parameters<typeof startPostgresServer>): Promise<PostgresServer> {
  const server = await startPostgresServer(...args);
  started.push(server);
  return server;
}
afterAll(async () => {
  await Promise.all(started.map((server) => server.stop()));
});

/** Runs one statement on a fresh client; resolves with the rows or rejects with pg's error. */
async function queryWith(config: pg.ClientConfig, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionTimeoutMillis: 5_000, ...config });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.query(sql)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The real user id a process runs under, from /proc. */
function processUid(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
}

describe('startPostgresServer', () => {
  it('reports its start-up time; later servers start from a copy of the first cluster', async () => {
    const describeTimings = ({ initdbMs, startMs, totalMs, copied }: PostgresServer['timings']) =>
      `${copied ? 'copy of the first cluster' : 'initdb'} ${initdbMs.toFixed(0)} ms, ` +
      `server start ${startMs.toFixed(0)} ms, total ${totalMs.toFixed(0)} ms`;
    const first = await start();
    const second = await start();
    console.log(`PostgreSQL start-up: first server: ${describeTimings(first.timings)}`);
    console.log(`PostgreSQL start-up: next server: ${describeTimings(second.timings)}`);
    expect(second.timings.copied).toBe(true);
    for (const { timings } of [first, second]) {
      expect(timings.initdbMs).toBeGreaterThan(0);
      expect(timings.startMs).toBeGreaterThan(0);
      expect(timings.totalMs).toBeGreaterThanOrEqual(timings.initdbMs + timings.startMs);
    }
    // Copies share the superuser password but nothing else.
    expect(second.password).toBe(first.password);
    expect(second.dir).not.toBe(first.dir);
  });

  it('starts on a leased loopback port and answers as the superuser in its database', async () => {
    const server = await start();
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThanOrEqual(17_000);
    expect(server.port).toBeLessThanOrEqual(31_000);
    expect(server.database).toBe('stowage');
    expect(server.url).toBe(
      `postgres://${server.user}:${encodeURIComponent(server.password)}@127.0.0.1:${server.port}/stowage`,
    );
    expect(server.running).toBe(true);

    const { rows } = await server.query<Record<string, unknown>>(
      `SELECT current_user AS who, current_database() AS db, $1::int + 1 AS sum,
        current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync,
        current_setting('full_page_writes') AS fpw, current_setting('listen_addresses') AS listen,
        current_setting('unix_socket_directories') AS sockets,
        (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser`,
      [41],
    );
    expect(rows[0]).toEqual({
      who: server.user,
      db: 'stowage',
      sum: 42,
      fsync: 'off',
      sync: 'off',
      fpw: 'off',
      listen: '127.0.0.1',
      sockets: `${server.dir}/socket`,
      superuser: true,
    });
    // The URL alone is enough for a client.
    expect(await queryWith({ connectionString: server.url }, 'SELECT 1 AS one')).toEqual([
      { one: 1 },
    ]);
  });

  it('runs two servers at once on different ports, each with its own data', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    expect(a.port).not.toBe(b.port);
    expect(a.dir).not.toBe(b.dir);
    await a.query('CREATE TABLE only_here (x int)');
    expect((await a.query("SELECT to_regclass('only_here') AS t")).rows[0]).toEqual({
      t: 'only_here',
    });
    expect((await b.query("SELECT to_regclass('only_here') AS t")).rows[0]).toEqual({ t: null });
  });

  it('stop() ends every server process, removes the folder and frees the port', async () => {
    const server = await start();
    const { pid, dir, port } = server;
    const children = childPids(pid);
    expect(children.length).toBeGreaterThan(0);

    await server.stop();
    expect(server.running).toBe(false);
    expect(isProcessGone(pid)).toBe(true);
    expect(children.every(isProcessGone)).toBe(true);
    expect(existsSync(dir)).toBe(false);
    expect(await isPortFree(port)).toBe(true);
    await server.stop(); // Idempotent.
    await expect(server.restart()).rejects.toMatchObject({
      code: HarnessErrorCode.InvalidOptions,
    });
  });

  it('kill() crashes it; restart() brings it back on the same port with its data', async () => {
    const server = await start();
    const { port, pid } = server;
    // synchronous_commit is off for speed: this commit is made durable explicitly, since a crash
    // may lose the last fraction of a second of asynchronous commits.
    await server.query(
      'BEGIN; SET LOCAL synchronous_commit = on; CREATE TABLE kept (x int); INSERT INTO kept VALUES (7); COMMIT',
    );
    // Several statements in one call answer with the last one's rows.
    expect((await server.query('SELECT 1; SELECT x FROM kept')).rows).toEqual([{ x: 7 }]);
    await server.kill();
    expect(server.running).toBe(false);
    expect(isProcessGone(pid)).toBe(true);
    await expect(server.query('SELECT 1')).rejects.toSatisfy(HarnessError.is);

    await server.restart();
    expect(server.running).toBe(true);
    expect(server.port).toBe(port);
    expect(server.pid).not.toBe(pid);
    expect((await server.query('SELECT x FROM kept')).rows).toEqual([{ x: 7 }]);

    // A restart of a running server is a clean shutdown: asynchronous commits survive too.
    await server.query('INSERT INTO kept VALUES (8)');
    await server.restart();
    expect((await server.query('SELECT x FROM kept ORDER BY x')).rows).toEqual([
      { x: 7 },
      { x: 8 },
    ]);
  });

  it('pause() freezes the server so that a query times out; resume() makes it answer again', async () => {
    const server = await start();
    const client = new pg.Client({ connectionString: server.url, query_timeout: 500 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      server.pause();
      const began = Date.now();
      await expect(client.query('SELECT 1')).rejects.toThrow(/timeout/i);
      expect(Date.now() - began).toBeLessThan(3_000);
      // New connections hang too: the postmaster itself is stopped.
      await expect(
        queryWith({ connectionString: server.url, connectionTimeoutMillis: 500 }, 'SELECT 1'),
      ).rejects.toThrow(/timeout/i);

      server.resume();
      expect((await server.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    } finally {
      await client.end().catch(() => undefined);
    }
  });

  it('with tls.required refuses a plain connection and accepts TLS trusting the CA', async () => {
    const server = await start({ tls: { required: true } });
    const tls = server.tls!;
    expect(tls.ca).toContain('BEGIN CERTIFICATE');

    await expect(
      queryWith({ connectionString: server.url, ssl: false }, 'SELECT 1'),
    ).rejects.toThrow(/no encryption|pg_hba/);
    await expect(
      queryWith({ connectionString: server.url, ssl: { ca: tls.otherCa } }, 'SELECT 1'),
    ).rejects.toThrow(/certificate/i);
    expect(
      await queryWith(
        { connectionString: server.url, ssl: { ca: tls.ca } },
        'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
      ),
    ).toEqual([{ ssl: true }]);
    // The harness's own helper goes over TLS as well.
    expect((await server.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('with tls but not required accepts both plain and TLS connections', async () => {
    const server = await start({ tls: {} });
    const sslOf = 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()';
    expect(await queryWith({ connectionString: server.url, ssl: false }, sslOf)).toEqual([
      { ssl: false },
    ]);
    expect(
      await queryWith({ connectionString: server.url, ssl: { ca: server.tls!.ca } }, sslOf),
    ).toEqual([{ ssl: true }]);
  });

  it('with tls.authClients asks for a client certificate signed by the CA', async () => {
    const server = await start({ tls: { authClients: true } });
    const tls = server.tls!;
    await expect(
      queryWith({ connectionString: server.url, ssl: { ca: tls.ca } }, 'SELECT 1'),
    ).rejects.toThrow(/certificate/i);
    expect(
      await queryWith(
        {
          connectionString: server.url,
          ssl: { ca: tls.ca, cert: tls.clientCert, key: tls.clientKey },
        },
        'SELECT 1 AS one',
      ),
    ).toEqual([{ one: 1 }]);
    expect((await server.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('creates users that log in with their password; a wrong password is refused', async () => {
    const server = await start({
      users: [
        { name: 'app', password: "it's secret" },
        { name: 'Admin User', password: 'other', superuser: true },
      ],
      settings: { max_connections: 37 },
    });
    const as = (user: string, password: string) => ({
      host: server.host,
      port: server.port,
      database: server.database,
      user,
      password,
    });
    expect(
      await queryWith(
        as('app', "it's secret"),
        `SELECT current_user AS who, current_setting('max_connections') AS max,
          (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser`,
      ),
    ).toEqual([{ who: 'app', max: '37', superuser: false }]);
    expect(
      await queryWith(
        as('Admin User', 'other'),
        'SELECT rolsuper FROM pg_roles WHERE rolname = current_user',
      ),
    ).toEqual([{ rolsuper: true }]);
    await expect(queryWith(as('app', 'wrong'), 'SELECT 1')).rejects.toMatchObject({
      code: '28P01', // invalid_password
    });
    await expect(queryWith(as('nobody', 'x'), 'SELECT 1')).rejects.toMatchObject({
      code: '28P01',
    });
  });

  it.runIf(process.getuid?.() === 0)(
    'as root, runs initdb and postgres as the postgres account, which owns the folder',
    async () => {
      // Only as root: otherwise the server simply runs as the current user, checked below.
      const server = await start();
      const postgresUid = statSync(`${server.dir}/data`).uid;
      expect(postgresUid).not.toBe(0);
      expect(statSync(server.dir).uid).toBe(postgresUid);
      expect(processUid(server.pid)).toBe(postgresUid);
      for (const child of childPids(server.pid)) expect(processUid(child)).toBe(postgresUid);
      const passwd = readFileSync('/etc/passwd', 'utf8');
      expect(passwd).toMatch(new RegExp(`^postgres:[^:]*:${postgresUid}:`, 'm'));
    },
  );

  it.runIf(process.getuid?.() !== 0)(
    'as an ordinary user, runs postgres as that user',
    async () => {
      // Only when not root: root's case is the test above.
      const server = await start();
      expect(processUid(server.pid)).toBe(process.getuid?.());
    },
  );
});
