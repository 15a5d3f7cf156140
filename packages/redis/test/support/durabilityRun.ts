import { StoreErrorCode } from '@stowage/core';
import type { SentinelGroup } from '@stowage/testing';
import {
  createRedisDriver,
  type RedisDataStore,
  type RedisDriverOptions,
} from '../../src/index.js';
import { waitForReplicaInSync } from './nodeState.js';
import { lostWrites, tally, writeThroughFault } from './writeStream.js';

/** What one run through a fault lost. */
export interface DurabilityResult {
  readonly lost: number;
  readonly acknowledged: number;
  readonly failures: Record<string, number>;
  readonly recoveryMs: number | undefined;
}

const COMMAND_TIMEOUT_MS = 1000;
/** Longest wait for the demoted primary to rejoin as an in-sync replica. */
const SETTLE_BOUND_MS = 20_000;

/**
 * Writes through `fault` on `group` with a fresh store and counts acknowledged writes that are
 * gone afterwards, read from the new primary once the old one has rejoined as a replica.
 */
export async function runThroughFault(
  group: SentinelGroup,
  label: string,
  fault: () => Promise<void>,
  options: RedisDriverOptions,
  lanes = 1,
): Promise<DurabilityResult> {
  await group.waitForQuorum();
  const store = createRedisDriver({
    mode: 'sentinel',
    sentinels: group.sentinels.map(({ host, port }) => ({ host, port })),
    name: group.name,
    prefix: `durability-${label}`,
    connectTimeoutMs: 2000,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    ...options,
  });
  try {
    const report = await writeThroughFault({
      store,
      keyBase: label,
      faultAfter: 300,
      writesAfter: 300,
      deadlineMs: 25_000,
      lanes,
      fault,
    });
    const lost = await lostWrites(
      await settledPrimaryStore(group, `durability-${label}`),
      report.acknowledged,
      { close: true },
    );
    const failures = tally(report.failures);
    console.log(
      `${label}: lost ${lost} of ${report.acknowledged.length} acknowledged writes; first write OK ${report.recoveryMs} ms after the fault; failed operations ${JSON.stringify(failures)}`,
    );
    for (const code of Object.keys(failures)) {
      const expected: string[] = [
        StoreErrorCode.Connection,
        StoreErrorCode.Timeout,
        StoreErrorCode.OutcomeUnknown,
        StoreErrorCode.DurabilityNotConfirmed,
      ];
      if (!expected.includes(code)) throw new Error(`unexpected failure code ${code}`);
    }
    return {
      lost,
      acknowledged: report.acknowledged.length,
      failures,
      recoveryMs: report.recoveryMs,
    };
  } finally {
    await store.close();
  }
}

/**
 * Once every data node is back and the demoted primary has resynchronised from the new one, a
 * store on the primary the sentinels name (with the default options, so it follows them): what
 * it reads is what the group kept. Reading through the store that wrote could read the demoted
 * primary's own copy before the resync drops its lost writes.
 */
async function settledPrimaryStore(group: SentinelGroup, prefix: string): Promise<RedisDataStore> {
  const primary = await group.primary();
  const replicas = group.nodes.filter((node) => node.running && node.port !== primary.port);
  await Promise.all(replicas.map((node) => waitForReplicaInSync(node, SETTLE_BOUND_MS)));
  return createRedisDriver({
    mode: 'sentinel',
    sentinels: group.sentinels.map(({ host, port }) => ({ host, port })),
    name: group.name,
    prefix,
  });
}

/**
 * Runs the control (no durability option) until it loses writes, at most `attempts` times: a
 * control that happens to lose nothing proves nothing, so it is retried, never assumed.
 */
export async function controlWithLoss(
  attempts: number,
  run: (attempt: number) => Promise<DurabilityResult>,
): Promise<DurabilityResult> {
  let result: DurabilityResult | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    result = await run(attempt);
    if (result.lost > 0) return result;
  }
  return result as DurabilityResult;
}
