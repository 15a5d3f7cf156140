import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokenDrivers } from './fixtures/brokenDrivers.js';

interface AssertionResult {
  readonly fullName: string;
  readonly status: string;
}

// The suite is only worth something if it fails drivers that are wrong. Each broken driver must
// fail exactly the cases about its defect; a child vitest runs them so this run stays green.
const expectedFailures: Record<keyof typeof brokenDrivers, ReadonlyArray<string>> = {
  'equal version wins': [
    'upsert rejects the same version',
    'delete rejects a tombstone of the same version',
  ],
  'getAll without tombstones': ['getAll includes tombstones'],
  'init merges': ['initialization init replaces all previous data of the kinds given'],
  'lenient validation': ['validation refuses a descriptor with negative version'],
  'missing on error': [
    'with the backend unreachable get rejects with a typed connection or timeout error',
  ],
  'feed misses own writes': [
    'change feed own writes emit upsert events with their versions and deleted flags',
    'change feed per key, concurrent writers on two instances',
  ],
  'feed reports the wrong version': [
    'change feed own writes emit upsert events with their versions and deleted flags',
    'change feed another instance on the prefix sees the writes',
    'change feed per key, concurrent writers on two instances',
  ],
  'feed announces rejected writes': ['change feed a rejected upsert emits nothing'],
  'feed hears other prefixes': [
    'change feed never delivers the events of another prefix, nested or sibling',
  ],
  'feed emits after close': [
    'change feed close completes events$, and nothing follows',
    'change feed subscribing after close throws nothing and emits nothing',
  ],
  'feed remembers the marker': [
    'change feed checkInitialized asks the backend: a cleared prefix is not initialized',
  ],
};

describe('the conformance suite', () => {
  let results: AssertionResult[] = [];
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stowage-conformance-'));
    const outputFile = join(dir, 'report.json');
    const vitest = createRequire(import.meta.url)
      .resolve('vitest/package.json')
      .replace(/package\.json$/, 'vitest.mjs');
    const config = fileURLToPath(new URL('./fixtures/vitest.fixture.config.ts', import.meta.url));
    await new Promise<void>((resolve) => {
      // The child run is expected to fail; its report is what counts.
      execFile(
        process.execPath,
        [vitest, 'run', '--config', config, '--reporter=json', `--outputFile=${outputFile}`],
        () => resolve(),
      );
    });
    const report = JSON.parse(await readFile(outputFile, 'utf8')) as {
      testResults: Array<{ assertionResults: AssertionResult[] }>;
    };
    results = report.testResults.flatMap((file) => file.assertionResults);
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ran every case against every broken driver', () => {
    for (const defect of Object.keys(brokenDrivers)) {
      expect(
        results.filter((r) => r.fullName.includes(`broken (${defect})`)).length,
      ).toBeGreaterThan(100);
    }
  });

  it('passes a driver without the optional feed, its feed cases skipped', () => {
    const name = 'store contract: without a feed ';
    const own = results.filter((r) => r.fullName.startsWith(name));
    expect(own.length).toBeGreaterThan(100);
    expect(own.filter((r) => r.status === 'failed').map((r) => r.fullName)).toEqual([]);
    const feed = own.filter((r) => r.fullName.startsWith(`${name}change feed `));
    expect(feed.length).toBeGreaterThanOrEqual(10);
    expect(new Set(feed.map((r) => r.status))).toEqual(new Set(['skipped']));
  });

  it.each(Object.entries(expectedFailures))('catches a driver where %s', (defect, cases) => {
    const failed = results
      .filter(
        (r) =>
          r.fullName.startsWith(`store contract: broken (${defect}) `) && r.status === 'failed',
      )
      .map((r) => r.fullName.slice(`store contract: broken (${defect}) `.length));
    for (const name of cases) {
      expect(
        failed.some((f) => f.startsWith(name)),
        `"${name}" should fail; failed: ${failed.join(' | ')}`,
      ).toBe(true);
    }
  });
});
