import { type Finding, finding } from './Finding.js';
import { primaryNodes, type RedisClient } from './primaryNodes.js';
import { isAclRefusal } from './replyCode.js';

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

/** p50/p99 of a few PINGs (EXISTS of the marker when PING is refused to the user). */
export async function latencyFinding(
  client: RedisClient,
  marker: string,
  samples: number,
): Promise<Finding> {
  const node = primaryNodes(client)[0]!;
  let probe = () => node.ping() as Promise<unknown>;
  try {
    await probe();
  } catch (error) {
    if (!isAclRefusal(error)) throw error;
    probe = () => client.exists(marker);
  }
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    await probe();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const p50 = percentile(times, 50);
  const p99 = percentile(times, 99);
  const detail = `${samples} round trips: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`;
  return p99 > 100
    ? finding(
        'latency',
        'warning',
        detail,
        'every uncached read pays this: move the app closer to Redis, or raise the cache TTL',
      )
    : finding('latency', 'ok', detail);
}
