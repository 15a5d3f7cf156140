import { randomBytes } from 'node:crypto';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIVE_RUN_KEY, type LiveRun, liveFactories } from '../conformance/liveTarget.js';
import { ExitCode } from '../exitCodes.js';
import { type Output, pc, table } from '../output.js';
import type { Target, TargetFlags } from '../target.js';

/** One case of the run. */
interface CaseResult {
  /** The describe blocks under the suite's own, then the case: `initialization > init replaces ...`. */
  readonly path: ReadonlyArray<string>;
  readonly state: string;
  readonly message: string | undefined;
}

type TestCase = import('vitest/node').TestCase;
type TestModule = import('vitest/node').TestModule;

function caseResult(test: TestCase): CaseResult {
  const path = [test.name];
  for (let parent = test.parent; parent.type === 'suite'; parent = parent.parent)
    path.unshift(parent.name);
  const result = test.result();
  return {
    path: path.slice(1),
    state: result.state,
    message: result.state === 'failed' ? result.errors[0]?.message.split('\n')[0] : undefined,
  };
}

/**
 * `stowage conformance`: the store contract's suite against the deployment, under a fresh random
 * prefix base, in vitest (the suite is a vitest suite); every key it wrote is removed afterwards.
 */
export async function conformance(
  target: Target,
  flags: TargetFlags,
  output: Output,
): Promise<ExitCode> {
  const prefixBase = `stowage-conformance-${randomBytes(4).toString('hex')}`;
  const suite = fileURLToPath(new URL('../conformance/liveSuite.js', import.meta.url));
  const run: LiveRun = {
    flags: {
      ...(flags.config === undefined ? {} : { config: flags.config }),
      ...(flags.url === undefined ? {} : { url: flags.url }),
      ...(flags.mode === undefined ? {} : { mode: flags.mode }),
    },
    prefixBase,
  };
  output.err(`running the store contract against ${target.description} under ${prefixBase}-*`);
  const started = performance.now();
  const results: CaseResult[] = [];
  const loadErrors: string[] = [];
  const { startVitest } = await import('vitest/node');
  const vitest = await startVitest('test', [], {
    config: false,
    root: dirname(suite),
    include: [basename(suite)],
    exclude: [],
    watch: false,
    reporters: [
      {
        onTestRunEnd(
          modules: ReadonlyArray<TestModule>,
          unhandled: ReadonlyArray<{ message?: string }>,
        ) {
          for (const module of modules) {
            for (const error of module.errors()) loadErrors.push(error.message);
            for (const test of module.children.allTests()) results.push(caseResult(test));
          }
          for (const error of unhandled) loadErrors.push(error.message ?? 'unhandled error');
        },
      },
    ],
    provide: { [LIVE_RUN_KEY]: run } as never,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  });
  await vitest?.close();
  // The suite clears every prefix after each case and sweeps its base at the end; this is the
  // last word in case its worker died.
  let leftover: number | undefined;
  let sweepError: string | undefined;
  try {
    const factories = await liveFactories(target);
    leftover = await factories.sweep(prefixBase).finally(() => factories.close());
  } catch (error) {
    sweepError = `the keys under ${prefixBase} could not be removed: ${(error as Error).message}`;
  }

  const groups = new Map<string, { passed: number; failed: number; skipped: number }>();
  for (const result of results) {
    const group = result.path[0] ?? '';
    const entry = groups.get(group) ?? { passed: 0, failed: 0, skipped: 0 };
    if (result.state === 'passed') entry.passed += 1;
    else if (result.state === 'failed') entry.failed += 1;
    else entry.skipped += 1;
    groups.set(group, entry);
  }
  const failures = results.filter((result) => result.state === 'failed');
  const passed = results.filter((result) => result.state === 'passed').length;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const ok =
    failures.length === 0 && loadErrors.length === 0 && passed > 0 && sweepError === undefined;
  if (output.json) {
    output.out(
      JSON.stringify({
        store: target.description,
        prefixBase,
        passed,
        failed: failures.length,
        skipped: results.length - passed - failures.length,
        groups: Object.fromEntries(groups),
        failures: failures.map((f) => ({ case: f.path.join(' > '), message: f.message })),
        errors: loadErrors,
        leftoverKeysRemoved: leftover ?? null,
        ...(sweepError === undefined ? {} : { sweepError }),
      }),
    );
  } else {
    const rows = [...groups].map(([group, counts]) => [
      counts.failed > 0 ? pc.red('fail') : pc.green('pass'),
      group,
      String(counts.passed),
      String(counts.failed),
      String(counts.skipped),
    ]);
    for (const line of table([['', 'GROUP', 'PASSED', 'FAILED', 'SKIPPED'], ...rows]))
      output.out(line);
    for (const failure of failures) {
      output.out(`${pc.red('FAIL')} ${failure.path.join(' > ')}`);
      output.out(`     ${failure.message ?? ''}`);
    }
    for (const message of loadErrors) output.out(`${pc.red('ERROR')} ${message}`);
    output.out(
      `${passed} passed, ${failures.length} failed, ${results.length - passed - failures.length} skipped in ${seconds} s; ${sweepError ?? `prefix ${prefixBase}-* removed`}`,
    );
  }
  return ok ? ExitCode.Ok : ExitCode.Error;
}
