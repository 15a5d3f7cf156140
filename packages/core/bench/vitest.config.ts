import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The benchmark runs as one long vitest file in a fork started with --expose-gc (for the heap
// measurements). It measures the built packages, loaded by Node itself: code transformed by vitest
// reaches every import through a getter, which would slow the subject and not the baseline.
// `pnpm bench` builds first. It is not part of `pnpm test`. Arguments after
// `pnpm --filter @stowage/core bench` filter the files (`cache`, `scale`).
const root = fileURLToPath(new URL('../../../', import.meta.url));

export default defineConfig({
  root,
  resolve: {
    alias: [
      {
        find: /^@stowage\/(core|memory)$/,
        replacement: `${root}packages/$1/dist/index.js`,
      },
    ],
  },
  test: {
    include: ['packages/core/bench/**/*.bench.ts'],
    server: { deps: { external: [/\/packages\/(core|memory)\/dist\//] } },
    pool: 'forks',
    // One file at a time: two benchmarks side by side would measure each other.
    fileParallelism: false,
    execArgv: ['--expose-gc'],
    testTimeout: 600_000,
    disableConsoleIntercept: true,
  },
});
