import { StoreErrorCode } from '@stowage/core';
import type { SentinelGroup } from '@stowage/testing';
import { createRedisDriver, type RedisDriverOptions } from '../../src/index.js';
import { lostWrites, tally, writeThroughFault } from './writeStream.js';

/** What one run through a fault lost. */
export interface DurabilityResult {
  readonly lost: number;
  readonly acknowledged: number;
  readonly failures: Record<string, number>;
  readonly recoveryMs: number | undefined;
}

const COMMAND_TIMEOUT_MS = 1000;

/**
 * Writes through `fault` on `group` with a fresh store and counts acknowledged writes that are
 * gone afterwards, read from the new primary once the old one has rejoined as a replica.
 */
export async function runThroughFault(
  group: SentinelGroup,
  label: string,
  fault: () => Promise<void>,
  options: RedisDriverOptions,
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
      fault,
    });
    // The demoted primary resyncs from the new one; reads go to the new primary.
    const lost = await lostWrites(store, report.acknowledged);
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
