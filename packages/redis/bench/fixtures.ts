import { execFileSync } from 'node:child_process';
import type { SerializedItemDescriptor } from '@stowage/core';
import { medianSample, type Sample } from './measure.js';

// What the benchmark files share: the item bodies, CPU pinning and table cells.

/** Scales every operation count, e.g. 0.1 for a quick look. */
export const SCALE = Number(process.env.BENCH_SCALE ?? 1);
/** Alternating runs per comparison; medians are reported. */
export const RUNS = Number(process.env.BENCH_RUNS ?? 5);
export const n = (count: number) => Math.max(1, Math.round(count * SCALE));

const ITEM_BYTES = 500;

/** A feature-flag-like JSON body of about 500 bytes. */
export function body(key: string, version: number): string {
  const base = {
    key,
    version,
    on: version % 2 === 0,
    variations: [true, false],
    fallthrough: { variation: 0 },
    offVariation: 1,
    salt: `salt-${key}`,
    targets: [{ values: [`user-${key}-a`, `user-${key}-b`], variation: 0 }],
    rules: [{ id: `rule-${key}`, clauses: [{ attribute: 'email', op: 'endsWith' }] }],
    prerequisites: [],
    deleted: false,
    description: '',
  };
  const padding = ITEM_BYTES - JSON.stringify(base).length;
  return JSON.stringify({ ...base, description: 'x'.repeat(Math.max(0, padding)) });
}

export const descriptor = (key: string, version: number): SerializedItemDescriptor => ({
  version,
  deleted: false,
  serializedItem: body(key, version),
});

/** `count` items `prefix-00000`, ... at version 1. */
export const items = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => {
    const key = `${prefix}-${String(i).padStart(5, '0')}`;
    return [key, descriptor(key, 1)] as const;
  });

/** Pins every thread of `pid` to `cpu`; false when taskset is missing. */
export function pin(pid: number, cpu: number): boolean {
  try {
    execFileSync('taskset', ['-a', '-pc', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const fmt = (value: number) => Math.round(value).toLocaleString('en-US');
const ms = (value: number) => (value < 1 ? value.toFixed(3) : value.toFixed(2));
export const cell = (s: Sample) => `${fmt(s.opsPerSecond)} (${ms(s.p50Ms)} / ${ms(s.p99Ms)})`;

/** RUNS rounds of every contender, in rotating order; the median sample of each contender. */
export async function compare(
  contenders: ReadonlyArray<(run: number) => Promise<Sample>>,
): Promise<Sample[]> {
  const samples: Sample[][] = contenders.map(() => []);
  for (let run = 0; run < RUNS; run++) {
    for (let j = 0; j < contenders.length; j++) {
      const index = (run + j) % contenders.length;
      samples[index]?.push(await (contenders[index] as (run: number) => Promise<Sample>)(run));
    }
  }
  return samples.map(medianSample);
}
