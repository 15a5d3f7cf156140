import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestCertificates,
  type RedisProvider,
  startCluster,
  startContainerEngine,
  startRedisServer,
  startSentinelGroup,
} from '@stowage/testing';
import { it } from 'vitest';

// Start and stop of each topology with each provider, in one run: medians of RUNS after one
// untimed round (the first container start also builds the image; the engine is up before).
// Certificates are made once and passed in, so TLS rows compare the providers, not openssl.
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

interface Stoppable {
  stop(): Promise<void>;
}

async function time(start: () => Promise<Stoppable>): Promise<{ start: number; stop: number }> {
  const began = performance.now();
  const handle = await start();
  const started = performance.now();
  await handle.stop();
  return { start: started - began, stop: performance.now() - started };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

it('measures start-up per provider', async () => {
  const engineBegan = performance.now();
  const engine = await startContainerEngine();
  const engineMs = performance.now() - engineBegan;
  const certDir = await mkdtemp(join(tmpdir(), 'stowage-bench-tls-'));
  const certificates = await createTestCertificates(certDir);
  const cases: Array<[string, (provider: RedisProvider) => Promise<Stoppable>, number]> = [
    ['standalone', (provider) => startRedisServer({ provider }), RUNS],
    [
      'standalone, password + ACL user',
      (provider) =>
        startRedisServer({
          provider,
          password: 'p',
          users: [{ name: 'app', password: 'a', rules: ['~*', '+@all'] }],
        }),
      RUNS,
    ],
    ['standalone, TLS', (provider) => startRedisServer({ provider, tls: { certificates } }), RUNS],
    ['Sentinel group (3 nodes, 3 sentinels)', (provider) => startSentinelGroup({ provider }), 3],
    ['Cluster (6 nodes)', (provider) => startCluster({ provider }), 3],
  ];
  const rows: string[] = [];
  try {
    for (const [label, start, runs] of cases) {
      const results: Record<RedisProvider, { start: number; stop: number }> = {
        process: { start: 0, stop: 0 },
        container: { start: 0, stop: 0 },
      };
      for (const provider of ['process', 'container'] as const) {
        await time(() => start(provider));
        const samples = [];
        for (let i = 0; i < runs; i += 1) samples.push(await time(() => start(provider)));
        results[provider] = {
          start: median(samples.map((s) => s.start)),
          stop: median(samples.map((s) => s.stop)),
        };
      }
      const { process: p, container: c } = results;
      rows.push(
        `| ${label} | ${p.start.toFixed(0)} ms / ${p.stop.toFixed(0)} ms | ${c.start.toFixed(0)} ms / ${c.stop.toFixed(0)} ms | ×${(c.start / p.start).toFixed(1)} |`,
      );
    }
  } finally {
    await rm(certDir, { recursive: true, force: true });
    await engine.stop();
  }
  console.log(
    [
      '',
      `engine: ${engine.owned ? 'private dockerd started' : 'found'} in ${engineMs.toFixed(0)} ms; medians of ${RUNS} (Sentinel, Cluster: 3)`,
      '| topology | process: start / stop | container: start / stop | container start ÷ process start |',
      '| --- | --- | --- | --- |',
      ...rows,
      '',
    ].join('\n'),
  );
});
