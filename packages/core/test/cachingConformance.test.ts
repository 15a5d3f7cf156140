import { registerConformanceSuite } from '@stowage/conformance';
import { createMemoryBackend, createMemoryDriver } from '@stowage/memory';
import { CachingDataStore } from '../src/cache/CachingDataStore.js';
import type { CachingOptions } from '../src/cache/CachingOptions.js';

// The caching decorator is itself a driver, so it must pass the same contract as every driver,
// whatever its TTL. Each store gets a cache of its own over a shared memory backend, the way
// processes sharing one Redis each have their own cache.
const variants: ReadonlyArray<readonly [string, CachingOptions]> = [
  ['finite TTL', { ttl: '5m' }],
  ['finite TTL, bounded', { ttl: '5m', maxEntries: 1_000 }],
  ['TTL 0', { ttl: 0 }],
  ['infinite TTL', { ttl: 'infinite' }],
];

for (const [label, options] of variants) {
  const backend = createMemoryBackend();
  registerConformanceSuite({
    name: `caching decorator over memory (${label})`,
    createStore: (prefix) => new CachingDataStore(createMemoryDriver({ prefix, backend }), options),
    clearPrefix: async (prefix) => backend.clearPrefix(prefix),
    writeRaw: async (prefix, kind, key, raw) => backend.writeRaw(prefix, kind.namespace, key, raw),
    createUnreachableStore: () => {
      const offline = createMemoryBackend();
      offline.setOffline(true);
      return new CachingDataStore(createMemoryDriver({ backend: offline }), options);
    },
    unreachableTimeoutMs: 1_000,
  });
}
