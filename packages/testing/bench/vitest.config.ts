import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Start-up of each provider, side by side, on the built package (loaded by Node itself). Not part of
// `pnpm test`; `pnpm bench` builds first. It finds or starts its own container engine.
const root = fileURLToPath(new URL('../../../', import.meta.url));

export default defineConfig({
  root,
  resolve: {
    alias: [{ find: /^@stowage\/testing$/, replacement: `${root}packages/testing/dist/index.js` }],
  },
  test: {
    include: ['packages/testing/bench/**/*.bench.ts'],
    server: { deps: { external: [/\/packages\/testing\/dist\//] } },
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 600_000,
    disableConsoleIntercept: true,
  },
});
