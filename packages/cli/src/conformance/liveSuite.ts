// The conformance suite against a live deployment: run by `stowage conformance` in vitest, never
// imported by the command line itself.
import { registerConformanceSuite } from '@stowage/conformance';
import { afterAll, beforeAll, inject } from 'vitest';
import { loadTarget } from '../target.js';
import { LIVE_RUN_KEY, type LiveFactories, type LiveRun, liveFactories } from './liveTarget.js';

const run = inject(LIVE_RUN_KEY as never) as LiveRun;
let factories: LiveFactories | undefined;

beforeAll(async () => {
  factories = await liveFactories(await loadTarget(run.flags));
});

afterAll(async () => {
  await factories?.sweep(run.prefixBase);
  factories?.close();
});

const live = () => {
  if (factories === undefined) throw new Error('the deployment could not be reached');
  return factories;
};

registerConformanceSuite({
  name: 'live',
  prefixBase: run.prefixBase,
  createStore: (prefix) => live().createStore(prefix),
  clearPrefix: (prefix) => live().clearPrefix(prefix),
  writeRaw: (prefix, kind, key, raw) => live().writeRaw(prefix, kind, key, raw),
});
