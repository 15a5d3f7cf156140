import { startRedisServer } from '@stowage/testing';
import { registerRedisConformance } from './support/registerRedisConformance.js';

// No password, no TLS: the script strategy on a server of this file's own.
registerRedisConformance({
  name: 'redis (plain)',
  start: () => startRedisServer(),
  storeOptions: (server) => ({ url: server.url }),
});
