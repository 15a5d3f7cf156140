import type { PersistentDataStore } from '@stowage/core';
import { readKind } from '../records.js';
import { kindsOf, parseKindsFlag } from '../target.js';
import { type Finding, finding } from './Finding.js';

/** The store itself: the marker, its kinds, item and tombstone counts, unreadable values. */
export async function storeFindings(
  store: PersistentDataStore,
  kindsFlag: string | undefined,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const initialized = await store.isInitialized();
  findings.push(
    initialized
      ? finding('store', 'ok', 'initialized')
      : finding(
          'store',
          'warning',
          'not initialized: apps that wait for an initialized store will wait',
          'run the app that initializes it, or stowage import --replace',
        ),
  );
  let kinds: Awaited<ReturnType<typeof kindsOf>>;
  try {
    kinds = await kindsOf(store, parseKindsFlag(kindsFlag));
  } catch (error) {
    findings.push(
      finding('kinds', 'unknown', (error as Error).message, 'name the kinds with --kinds a,b'),
    );
    return findings;
  }
  if (kinds.length === 0)
    findings.push(finding('kinds', initialized ? 'ok' : 'warning', 'no kinds hold items'));
  for (const kind of kinds) {
    const { records, bad } = await readKind(store, kind, true);
    const tombstones = records.filter((record) => record.deleted).length;
    const counts = `${records.length - tombstones} items, ${tombstones} tombstones`;
    findings.push(
      bad.length === 0
        ? finding(`kind ${kind.namespace}`, 'ok', counts)
        : finding(
            `kind ${kind.namespace}`,
            'error',
            `${counts}, ${bad.length} unreadable values (keys ${bad
              .slice(0, 3)
              .map((key) => JSON.stringify(key))
              .join(', ')}): reads of the kind fail`,
            'fix or delete those values; stowage export --skip-bad saves the rest',
          ),
    );
  }
  return findings;
}
