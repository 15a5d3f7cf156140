import { CachingDataStore, type CachingOptions } from '@stowage/core';
import { registerPostgresConformance } from './support/registerPostgresConformance.js';

// The caching decorator holds the contract in front of PostgreSQL as it does in front of Redis,
// for every TTL rule; each store has a cache of its own, kept coherent by the NOTIFY feed.
const variants: ReadonlyArray<readonly [string, CachingOptions]> = [
  ['finite TTL, bounded', { ttl: '5m', maxEntries: 1_000 }],
  ['TTL 0', { ttl: 0 }],
  ['infinite TTL', { ttl: 'infinite' }],
];

for (const [label, options] of variants) {
  registerPostgresConformance({
    name: `caching decorator over postgres (${label})`,
    decorate: (store) => new CachingDataStore(store, options),
  });
}
