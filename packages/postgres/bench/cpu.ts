import { compare } from '../../redis/bench/fixtures.js';
import { median, type Sample } from '../../redis/bench/measure.js';

// The client's CPU time per call beside throughput. On a machine shared with other work the
// throughput of both sides moves with the load; the CPU time this process spends per call moves
// much less, so the driver's own cost stays visible when the ratio is noisy.

/** A median sample and the median CPU time of this process per call, in microseconds. */
export interface CpuSample extends Sample {
  readonly cpuMicros: number;
}

/** `compare` (RUNS alternating rounds, medians), each round's CPU time divided by `calls`. */
export async function compareWithCpu(
  calls: number,
  contenders: ReadonlyArray<() => Promise<Sample>>,
): Promise<CpuSample[]> {
  const cpu: number[][] = contenders.map(() => []);
  const timed = contenders.map((contender, j) => async () => {
    const before = process.cpuUsage();
    const sample = await contender();
    const used = process.cpuUsage(before);
    cpu[j]?.push((used.user + used.system) / calls);
    return sample;
  });
  const samples = await compare(timed);
  return samples.map((sample, j) => ({ ...sample, cpuMicros: median(cpu[j] ?? []) }));
}
