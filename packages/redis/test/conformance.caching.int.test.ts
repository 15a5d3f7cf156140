import { CachingDataStore, type CachingOptions } from '@stowage/core';
import { startRedisServer } from '@stowage/testing';
import { registerRedisConformance } from './support/registerRedisConformance.js';

// The caching decorator is a driver too: the contract holds with a cache in front of Redis, for
// every TTL rule, exactly as it does in front of the memory driver. Each store has a cache of its
// own, as every application instance does; writes behind its back (other instances, other writers
// of the schema) go straight to the server.
const variants: ReadonlyArray<readonly [string, CachingOptions]> = [
  ['finite TTL, bounded', { ttl: '5m', maxEntries: 1_000 }],
  ['TTL 0', { ttl: 0 }],
  ['infinite TTL', { ttl: 'infinite' }],
];

for (const [label, options] of variants) {
  registerRedisConformance({
    name: `caching decorator over redis (${label})`,
    start: () => startRedisServer(),
    storeOptions: (server) => ({ url: server.url }),
    decorate: (store) => new CachingDataStore(store, options),
  });
}
