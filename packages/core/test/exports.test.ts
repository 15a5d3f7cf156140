import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// What each entry point makes public, by name: a name added or dropped here is a change of the
// public surface, and goes into the changeset and the upgrading notes of the README.

const runtimeNames = async (entry: string) =>
  Object.keys(await import(`../src/${entry}.ts`)).sort();

describe('the public surface', () => {
  it('gives applications the root, at most about forty names', async () => {
    const names = await runtimeNames('index');
    expect(names).toEqual([
      'CachingDataStore',
      'StatusTrackingStore',
      'StoreErrorCode',
      'StowageConfig',
      'StowageConfigError',
      'StowageError',
      'StowageSerializationError',
      'createDataStore',
      'deepFreeze',
      'defineKind',
      'descriptorToItem',
      'isUnavailability',
      'itemToDescriptor',
      'jsonItemCodec',
      'loadConfig',
      'registerDriver',
      'tombstoneDescriptor',
      'wrapDriver',
    ]);
    expect(names.length).toBeLessThanOrEqual(40);
  });

  it('gives driver authors @stowage/core/driver', async () => {
    expect(await runtimeNames('driver')).toEqual([
      'DEFAULT_PREFIX',
      'MAX_KEY_BYTES',
      'MAX_NAMESPACE_LENGTH',
      'closedError',
      'forEachYielding',
      'initMessage',
      'isUnavailabilityCode',
      'isValidNamespace',
      'isValidVersion',
      'kindMessage',
      'parseStoredString',
      'prefixProblem',
      'readChangeMessage',
      'redactSecrets',
      'redactText',
      'socketFailureCode',
      'toStoredString',
      'upsertMessage',
      'validateDescriptor',
      'validateFullDataSet',
      'validateFullDataSetYielding',
      'validateKey',
      'validateKind',
      'validateUpsert',
    ]);
  });

  // That the root does not load inversify is lazyLoading.test.ts's to prove.
  it('gives inversify users @stowage/core/inversify', async () => {
    expect(await runtimeNames('inversify')).toEqual([
      'DataStoreToken',
      'PersistentDataStoreToken',
      'StoreStatusToken',
      'StowageConfigToken',
      'StowageModule',
    ]);
  });

  it('declares each entry, with its types, in package.json', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(manifest.exports).toEqual({
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
      './driver': { types: './dist/driver.d.ts', default: './dist/driver.js' },
      './inversify': { types: './dist/inversify.d.ts', default: './dist/inversify.js' },
    });
  });
});
