import type { PersistentDataStore } from '@stowage/core';
import type { UpsertReadWriteHook } from '@stowage/core/driver';
import { afterEach } from 'vitest';
import type { ConformanceTarget } from './ConformanceTarget.js';

/** What every group of cases gets: the target and per-test stores that are cleaned up after. */
export interface SuiteContext {
  readonly target: ConformanceTarget;
  /** A prefix no other test uses; its data is cleared after the test. */
  newPrefix(): string;
  /** A store on `prefix` (a new prefix when omitted); closed after the test. */
  open(prefix?: string, upsertHook?: UpsertReadWriteHook): Promise<PersistentDataStore>;
}

let prefixCounter = 0;

/**
 * Creates the context and registers the clean-up that closes every store a test opened and
 * clears every prefix it used. Must be called inside the suite's `describe`.
 */
export function createSuiteContext(target: ConformanceTarget): SuiteContext {
  const base = target.prefixBase ?? 'stowage-conformance';
  // The pid and a random part keep parallel runs against one shared backend apart.
  const run = `${process.pid.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  let prefixes: string[] = [];
  let stores: PersistentDataStore[] = [];

  afterEach(async () => {
    const opened = stores;
    const used = prefixes;
    stores = [];
    prefixes = [];
    await Promise.allSettled(opened.map((store) => store.close()));
    await Promise.all(used.map((prefix) => target.clearPrefix(prefix)));
  });

  const newPrefix = () => {
    prefixCounter += 1;
    const prefix = `${base}-${run}-${prefixCounter}`;
    prefixes.push(prefix);
    return prefix;
  };

  return {
    target,
    newPrefix,
    async open(prefix = newPrefix(), upsertHook) {
      const store = await target.createStore(
        prefix,
        upsertHook === undefined ? {} : { upsertHook },
      );
      stores.push(store);
      return store;
    },
  };
}
