import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The PostgreSQL benchmark runs as one vitest file in a fork, like the Redis one: it measures the
// built packages, loaded by Node itself (code transformed by vitest reaches every import through a
// getter, which would slow the subject and not the raw-pg baseline). `pnpm bench` builds first and
// pins this process to CPU 0 with taskset; the benchmark pins the server's processes to CPU 1.
// Not part of `pnpm test`.
const root = fileURLToPath(new URL('../../../', import.meta.url));

export default defineConfig({
  root,
  resolve: {
    alias: [
      {
        find: /^@stowage\/(core|postgres|testing)$/,
        replacement: `${root}packages/$1/dist/index.js`,
      },
    ],
  },
  test: {
    include: ['packages/postgres/bench/**/*.bench.ts'],
    server: { deps: { external: [/\/packages\/(core|postgres|testing)\/dist\//] } },
    pool: 'forks',
    fileParallelism: false,
    execArgv: ['--expose-gc'],
    testTimeout: 1_200_000,
    hookTimeout: 60_000,
    disableConsoleIntercept: true,
  },
});
