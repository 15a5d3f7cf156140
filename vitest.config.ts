import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

// Tests import workspace packages from source, so `pnpm test` needs no build step
// and a stack trace points at the .ts file that failed.
const alias = [
  {
    find: /^@stowage\/(core|memory|conformance|testing|redis|postgres)$/,
    replacement: `${root}packages/$1/src/index.ts`,
  },
  // Subpath entries (`@stowage/core/driver`, `@stowage/memory/definition`): one file each in src.
  {
    find: /^@stowage\/(core|memory|conformance|testing|redis|postgres)\/([A-Za-z]+)$/,
    replacement: `${root}packages/$1/src/$2.ts`,
  },
];

/** Files that run Redis in containers (`@stowage/testing`'s container provider). */
const containerTests = 'packages/*/test/**/container.*.int.test.ts';

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'test/**/*.test.ts',
            'packages/*/test/**/*.test.ts',
            'examples/*/test/**/*.test.ts',
          ],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          // Unit tests first (seconds), then the integration files with their own worker limit.
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['packages/*/test/**/*.int.test.ts', 'examples/*/test/**/*.int.test.ts'],
          exclude: ['**/node_modules/**', containerTests],
          // Each file starts its own redis-server processes; two cores carry two files at once.
          pool: 'forks',
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'containers',
          include: [containerTests],
          exclude: ['**/node_modules/**'],
          pool: 'forks',
          maxWorkers: 2,
          // After the process files, never beside them: an engine, its proxies and six-container
          // groups load the cores, and both kinds of files measure failovers against deadlines.
          sequence: { groupOrder: 2 },
          // One container engine for the run (found, or a private dockerd stopped at the end).
          globalSetup: ['test/containerEngine.setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
