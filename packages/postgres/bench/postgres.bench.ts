import { cpus } from 'node:os';
import type { DataKind } from '@stowage/core';
import { createPostgresDriver } from '@stowage/postgres';
import { startPostgresServer } from '@stowage/testing';
import pg from 'pg';
import { expect, it } from 'vitest';
import { body, cell, descriptor, fmt, items, n, pin, RUNS } from '../../redis/bench/fixtures.js';
import { measure, type Sample } from '../../redis/bench/measure.js';
import { changeChannel } from '../src/feed/feedMessage.js';
import { statementsFor } from '../src/store/statements.js';
import { type CpuSample, compareWithCpu } from './cpu.js';
import { RawPostgres, type UpsertReply } from './raw.js';
import { pinnedServer } from './server.js';

// Throughput and latency of the PostgreSQL driver against a real server, next to raw `pg` running
// the driver's own statements in the same run (the ratio is the figure), for the operations of
// the Redis benchmark. Medians of RUNS alternating runs (BENCH_RUNS), counts scaled by
// BENCH_SCALE. Both sides use a pool of 10 connections (the driver's default).

const features: DataKind = { namespace: 'features' };
const large: DataKind = { namespace: 'segments' };
const writes: DataKind = { namespace: 'writes' };
const PREFIX = 'bench';
const TABLE = 'public.stowage_items';
/** The table as the driver names it (quoted), which its channel is derived from. */
const QUOTED_TABLE = '"public"."stowage_items"';
const POOL_SIZE = 10;

const micros = (value: number) => (value < 1000 ? value.toFixed(0) : fmt(value));

/** A table cell; under 100 ops/s with two decimals, where rounding would hide the difference. */
const opsCell = (s: Sample) =>
  s.opsPerSecond >= 100 ? cell(s) : cell(s).replace(/^\S+/, s.opsPerSecond.toFixed(2));

it('benchmarks the PostgreSQL driver beside raw pg', async () => {
  const server = await startPostgresServer();
  const isPinned = cpus().length >= 2 && pinnedServer(server.pid, pin);
  const store = createPostgresDriver({
    url: server.url,
    prefix: PREFIX,
    table: TABLE,
    createTables: true,
    poolSize: POOL_SIZE,
  });
  /** A pool of raw pg running the driver's statements; `config` adds to pg's defaults. */
  const rawOn = (config: pg.PoolConfig = {}) => {
    const pool = new pg.Pool({ connectionString: server.url, max: POOL_SIZE, ...config });
    // A connection the server ends while the pool closes (the server stops right after) is
    // reported on the pool; the driver ignores those too, and without a listener it would be an
    // uncaught error.
    pool.on('error', () => {});
    const raw = new RawPostgres(
      pool,
      statementsFor(QUOTED_TABLE),
      PREFIX,
      changeChannel(QUOTED_TABLE, PREFIX),
    );
    return { pool, raw };
  };
  const { pool, raw } = rawOn();
  // The same, with the timeouts the driver sets on every connection (its defaults): what a user
  // of raw pg pays for not hanging on a frozen server. pg arms a timer per query for the second.
  const { pool: timedPool, raw: rawTimed } = rawOn({
    statement_timeout: 5_000,
    query_timeout: 5_250,
  });
  const rows: string[] = [];
  const report = (name: string, subject: CpuSample, baseline: CpuSample, target: string) => {
    const ratio = subject.opsPerSecond / baseline.opsPerSecond;
    const cpu = `${micros(subject.cpuMicros)} / ${micros(baseline.cpuMicros)}`;
    rows.push(
      `| ${name} | ${opsCell(subject)} | ${opsCell(baseline)} | **${ratio.toFixed(2)}x** | ${target} | ${cpu} |`,
    );
  };

  try {
    // Data: 1,000 items to read one by one or all at once, and a kind of 10,000.
    const small = items('flag', 1000);
    const big = items('big', 10_000);
    await store.init([
      { kind: features, items: small },
      { kind: large, items: big },
    ]);
    const smallKeys = small.map(([key]) => key);
    const keyAt = (i: number) => smallKeys[(i * 7919) % smallKeys.length] as string;
    // Both sides read the same rows: the raw baseline must find every key the driver finds.
    expect(await raw.get(features.namespace, keyAt(1))).toEqual(
      JSON.parse((await store.get(features, keyAt(1)))?.serializedItem as string),
    );

    // get: one row by prefix, kind, key hash and key; JSON.parse of the item.
    for (const [count, inFlight] of [
      [n(4_000), 1],
      [n(4_000), 100],
    ] as const) {
      const [ours, theirs, timed] = await compareWithCpu(count, [
        () => measure(count, inFlight, (i) => store.get(features, keyAt(i))),
        () => measure(count, inFlight, (i) => raw.get(features.namespace, keyAt(i))),
        () => measure(count, inFlight, (i) => rawTimed.get(features.namespace, keyAt(i))),
      ]);
      report(`get, ${inFlight} in flight`, ours!, theirs!, '≥ 0.9x');
      report(`get, ${inFlight} in flight, raw pg with the same timeouts`, ours!, timed!, '-');
    }

    // getAll: every row of the kind; JSON.parse of every item.
    for (const [kind, count, size] of [
      [features, n(120), '1,000'],
      [large, n(12), '10,000'],
    ] as const) {
      expect((await raw.getAll(kind.namespace)).size).toBe((await store.getAll(kind)).size);
      const [ours, theirs] = await compareWithCpu(count, [
        () => measure(count, 1, () => store.getAll(kind)),
        () => measure(count, 1, () => raw.getAll(kind.namespace)),
      ]);
      report(`getAll, ${size} items`, ours!, theirs!, '≥ 0.9x');
    }

    // upsert: the atomic statement with its NOTIFY. Versions only grow, so every key must end at
    // the highest version written to it (no update lost, none lower left current).
    const highest = new Map<string, number>();
    const wrote = (key: string, v: number) => {
      if ((highest.get(key) ?? -1) < v) highest.set(key, v);
    };
    let version = 1;
    const next = (count: number) => {
      const base = version;
      version += count;
      return base;
    };
    for (const [count, inFlight, keys] of [
      [n(3_000), 1, 100],
      [n(3_000), 100, 1000],
    ] as const) {
      const [ours, theirs] = await compareWithCpu(count, [
        () => {
          const base = next(count);
          return measure(count, inFlight, (i) => {
            const key = `w-${i % keys}`;
            wrote(key, base + i);
            return store.upsert(writes, key, descriptor(key, base + i));
          });
        },
        () => {
          const base = next(count);
          return measure(count, inFlight, (i) => {
            const key = `w-${i % keys}`;
            wrote(key, base + i);
            return raw.upsert(writes.namespace, key, base + i, body(key, base + i));
          });
        },
      ]);
      report(`upsert, ${inFlight} in flight`, ours!, theirs!, '-');
    }
    const final = await store.getAll(writes);
    const behind = [...highest].filter(([key, v]) => final.get(key)?.version !== v);
    expect(behind, 'keys not at the highest version written').toEqual([]);

    // 16 writers on one key, versions in shuffled order: the highest must win, and every
    // rejection must report a version at least as high as the one refused.
    {
      const count = n(2_000);
      const order = Array.from({ length: count }, (_, i) => i).sort(
        (a, b) => ((a * 2654435761) % 4096) - ((b * 2654435761) % 4096),
      );
      const writers = (upsert: (v: number) => Promise<UpsertReply>) => async () => {
        const base = next(count);
        const replies: UpsertReply[] = [];
        const sample = await measure(count, 16, async (i) => {
          replies[i] = await upsert(base + order[i]!);
        });
        replies.forEach((reply, i) => {
          if (!reply.applied) expect(reply.current).toBeGreaterThanOrEqual(base + order[i]!);
        });
        expect((await store.get(writes, 'hot'))?.version).toBe(base + count - 1);
        return sample;
      };
      const [ours, theirs] = await compareWithCpu(count, [
        writers(async (v) => {
          const r = await store.upsert(writes, 'hot', descriptor('hot', v));
          return { applied: r.applied, ...(r.current ? { current: r.current.version } : {}) };
        }),
        writers((v) => raw.upsert(writes.namespace, 'hot', v, body('hot', v))),
      ]);
      report('upsert, 16 writers on one key', ours!, theirs!, '-');
    }

    // init: 10,000 items of ~500 bytes, one transaction. Raw: BEGIN, the marker, DELETE, INSERTs
    // of 5,000 rows as arrays, NOTIFY, COMMIT.
    {
      const initItems = items('init', 10_000);
      const [ours, theirs] = await compareWithCpu(n(3), [
        () => measure(n(3), 1, () => store.init([{ kind: features, items: initItems }])),
        () => measure(n(3), 1, () => raw.init(features.namespace, initItems)),
      ]);
      report('init, 10,000 items', ours!, theirs!, '≥ 0.8x');
      expect((await store.getAll(features)).size).toBe(10_000);
    }
  } finally {
    await store.close();
    await pool.end();
    await timedPool.end();
    await server.stop();
  }

  console.log(
    [
      '',
      '### PostgreSQL: one server (PostgreSQL 15, fsync off), pools of 10 connections',
      '',
      `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, ${new Date().toISOString().slice(0, 10)}`,
      isPinned
        ? 'client pinned to CPU 0, every server process to CPU 1 (taskset -a -pc)'
        : 'NOT pinned (taskset missing or a single CPU)',
      `${RUNS} alternating runs, medians; cells: ops/s (p50 ms / p99 ms); client CPU: µs of this process's CPU time per call, Stowage / raw`,
      '',
      '| operation | Stowage | raw pg | ratio | target | client CPU µs/call |',
      '|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
});
