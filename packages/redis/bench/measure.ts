/** One measured run: throughput and latency percentiles. */
export interface Sample {
  readonly opsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

const percentile = (sorted: Float64Array, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;

export const gc = () => {
  (globalThis as { gc?: () => void }).gc?.();
};

/**
 * Runs `op` `total` times with `concurrency` calls in flight (each of `concurrency` workers awaits
 * its call before the next), timing every call.
 */
export async function measure(
  total: number,
  concurrency: number,
  op: (i: number) => Promise<unknown>,
): Promise<Sample> {
  const latencies = new Float64Array(total);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < total; i = next++) {
      const started = process.hrtime.bigint();
      await op(i);
      latencies[i] = Number(process.hrtime.bigint() - started) / 1e6;
    }
  };
  gc();
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort();
  return {
    opsPerSecond: total / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

/** Medians of several samples, figure by figure. */
export function medianSample(samples: ReadonlyArray<Sample>): Sample {
  return {
    opsPerSecond: median(samples.map((s) => s.opsPerSecond)),
    p50Ms: median(samples.map((s) => s.p50Ms)),
    p99Ms: median(samples.map((s) => s.p99Ms)),
  };
}
