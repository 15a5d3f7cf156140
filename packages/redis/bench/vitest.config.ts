import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The benchmark runs as one long vitest file in a fork. It measures the built packages, loaded by
// Node itself: code transformed by vitest reaches every import through a getter, which would slow
// the subject and not the raw-ioredis baseline. `pnpm bench` builds first, pins this process to
// CPU 0 with taskset, and the benchmark pins every server process to CPU 1. Not part of
// `pnpm test`. Arguments after `pnpm --filter @stowage/redis bench` filter the files (`cache`).
const root = fileURLToPath(new URL('../../../', import.meta.url));
/**
 * BENCH_DRIVER: another build of the driver to measure (its `dist/index.js`), e.g. a copy of the
 * build before a change, for a before/after comparison with the same benchmark code.
 */
const driver = process.env.BENCH_DRIVER;

export default defineConfig({
  root,
  resolve: {
    alias: [
      ...(driver === undefined ? [] : [{ find: /^@stowage\/redis$/, replacement: driver }]),
      {
        find: /^@stowage\/(core|redis|testing)$/,
        replacement: `${root}packages/$1/dist/index.js`,
      },
    ],
  },
  test: {
    include: ['packages/redis/bench/**/*.bench.ts'],
    server: { deps: { external: [/\/packages\/(core|redis|testing)\/dist\//] } },
    pool: 'forks',
    // One file at a time: two benchmarks side by side would measure each other.
    fileParallelism: false,
    execArgv: ['--expose-gc'],
    testTimeout: 1_200_000,
    hookTimeout: 60_000,
    disableConsoleIntercept: true,
  },
});
