import { cpus } from 'node:os';
import { type DataStore, wrapDriver } from '@stowage/core';
import { upsertMessage } from '@stowage/core/driver';
import { createRedisDriver } from '@stowage/redis';
import { Cluster } from 'ioredis';
import { expect, it } from 'vitest';
import { changeChannel } from '../src/feed/changeChannel.js';
import { COMPARE_AND_SET_LUA } from '../src/upsert/compareAndSetScript.js';
import { flags, waitForLiveFeed } from './feedProbe.js';
import { body, cell, compare, n, pin, RUNS } from './fixtures.js';
import { measure, type Sample } from './measure.js';
import { type BenchMode, type Deployment, loadScript, pinned, selectedModes } from './modes.js';

// What announcing every write costs an upsert, at 100 in flight over 1,000 keys. Two pairs, each
// measured in the same run with alternating rounds (medians of RUNS):
// - raw ioredis, EVALSHA of the driver's compare-and-set script with its SPUBLISH line vs the same
//   script without it, same arguments, the driver's channel and message: the publish on the
//   server, and one sharded subscriber in this process receiving every announcement as the
//   writer's own feed does (it must receive every one: the channel is in the keys' slot);
// - Stowage's typed store (infinite TTL) with its feed followed (the writer receives and applies
//   its own events) vs the same store with `feed: 'off'`. The driver publishes in both: other
//   instances need the announcements whatever this one does with them.
// Target: at least 0.9x for both. Per mode (BENCH_MODES).

const IN_FLIGHT = 100;
const KEYS = 1000;

/** The driver's script without its publish line (the rest unchanged, ARGV included). */
function withoutPublish(script: string): string {
  const stripped = script.replace(/^.*\bSPUBLISH\b.*\n/m, '');
  expect(stripped, 'the script has exactly one SPUBLISH line').not.toBe(script);
  expect(stripped).not.toMatch(/\bSPUBLISH\b/);
  return stripped;
}

/** A raw sharded subscriber of `channel` counting what it receives. */
async function countingSubscriber(deployment: Deployment, channel: string) {
  const { storeOptions } = deployment;
  const client =
    storeOptions.mode === 'cluster'
      ? new Cluster([...(storeOptions.nodes ?? [])], { shardedSubscribers: true })
      : deployment.createRaw();
  let received = 0;
  client.on('smessage', () => {
    received++;
  });
  await client.ssubscribe(channel);
  return { received: () => received, close: () => client.disconnect() };
}

/** A typed store with an infinite TTL over its own driver, its feed followed or `'off'`. */
function instance(deployment: Deployment, prefix: string, feed: 'on' | 'off'): DataStore {
  return wrapDriver(createRedisDriver({ ...deployment.storeOptions, prefix }), {
    cache: { ttl: 'infinite' },
    feed,
  });
}

async function benchmark(mode: BenchMode): Promise<void> {
  const deployment = await mode.start();
  const isPinned = cpus().length >= 2 && pinned(deployment, pin);
  const raw = deployment.createRaw();
  const rawHash = `${deployment.rawPrefix('cost-raw')}:${flags.namespace}`;
  const channel = changeChannel(deployment.rawPrefix('cost-raw'));
  const subscriber = await countingSubscriber(deployment, channel);
  const followed = instance(deployment, 'cost-on', 'on');
  const unfollowed = instance(deployment, 'cost-off', 'off');
  const rows: string[] = [];
  // Checked after the figures are printed, so that a failing run still reports them.
  let published = 0;
  let delivered = 0;
  /**
   * Upserts refused with nothing newer stored: none is expected. A write of a key comes round
   * again 1,000 writes later, so one held back that long is refused for the later one (counted).
   */
  const refused: string[] = [];
  let overtaken = 0;
  let feedAfter = '';
  const report = (name: string, subject: Sample, baseline: Sample) => {
    const ratio = subject.opsPerSecond / baseline.opsPerSecond;
    rows.push(
      `| ${name} | ${cell(subject)} | ${cell(baseline)} | **${ratio.toFixed(2)}x** | ≥ 0.9x |`,
    );
  };
  try {
    const shaWith = await loadScript(raw, COMPARE_AND_SET_LUA);
    const shaWithout = await loadScript(raw, withoutPublish(COMPARE_AND_SET_LUA));
    await waitForLiveFeed(followed);
    expect(unfollowed.status.feed).toBe('off');
    const count = n(40_000);
    const keyAt = (i: number) => `flag-${String(i % KEYS).padStart(4, '0')}`;
    let version = 1;
    const next = () => {
      const base = version;
      version += count;
      return base;
    };
    const rawRun = (sha: string, publish: boolean) => () => {
      const base = next();
      if (publish) published += count;
      return measure(count, IN_FLIGHT, (i) => {
        const key = keyAt(i);
        const v = base + i;
        return raw.evalsha(
          sha,
          1,
          rawHash,
          key,
          body(key, v),
          String(v),
          channel,
          upsertMessage('raw-bench', flags.namespace, key, v, false),
        );
      });
    };
    const storeRun = (store: DataStore) => () => {
      const base = next();
      return measure(count, IN_FLIGHT, async (i) => {
        const key = keyAt(i);
        const result = await store.upsert(flags, { key, version: base + i, on: i % 2 === 0 });
        const stored = result.current?.version;
        if (result.applied) return;
        if (stored !== undefined && stored > base + i) overtaken++;
        else refused.push(`${key} at ${base + i} (stored: ${stored})`);
      });
    };
    const contenders = [
      rawRun(shaWith, true),
      rawRun(shaWithout, false),
      storeRun(followed),
      storeRun(unfollowed),
    ];
    // One untimed round each first, so that every contender is measured after the JIT compiled it.
    for (const contender of contenders) await contender();
    const [rawWith, rawWithout, on, off] = (await compare(contenders)) as Sample[];
    report('raw script, SPUBLISH vs none', rawWith!, rawWithout!);
    report('Stowage upsert, feed followed vs off', on!, off!);
    // Every publish reached the subscriber (the channel is in the keys' slot): checked below.
    const deadline = Date.now() + 5_000;
    while (subscriber.received() < published && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    delivered = subscriber.received();
    feedAfter = followed.status.feed;
  } finally {
    await Promise.all([followed.close(), unfollowed.close()]);
    subscriber.close();
    raw.disconnect();
    await deployment.stop();
  }

  console.log(
    [
      '',
      `### change-feed cost on upsert, ${mode.name}: ${mode.description}`,
      '',
      `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, ${new Date().toISOString().slice(0, 10)}`,
      isPinned
        ? 'client pinned to CPU 0, every server process to CPU 1 (taskset -a -pc)'
        : 'NOT pinned (taskset missing or a single CPU)',
      `${RUNS} alternating runs, medians; ${IN_FLIGHT} in flight over ${KEYS} keys; cells: ops/s (p50 ms / p99 ms)`,
      '',
      '| operation | with the feed | without | ratio | target |',
      '|---|---|---|---|---|',
      ...rows,
      '',
      `Stowage upserts refused because the next write of their key (1,000 writes later) overtook them: ${overtaken}`,
      '',
    ].join('\n'),
  );
  expect(refused, 'upserts refused with nothing newer stored').toEqual([]);
  expect(delivered, 'announcements the sharded subscriber received').toBe(published);
  expect(feedAfter).toBe('live');
}

for (const mode of selectedModes()) {
  it(`benchmarks the change feed's cost on upsert: ${mode.name}`, () => benchmark(mode));
}
