import { startRedisServer } from '@stowage/testing';
import { registerRedisConformance } from './support/registerRedisConformance.js';

// TLS with certificate verification on: the client trusts the harness's CA, whose server
// certificate names 127.0.0.1.
registerRedisConformance({
  name: 'redis (TLS, verified)',
  start: () => startRedisServer({ tls: {} }),
  storeOptions: (server) => ({ url: server.url, tls: { ca: server.tls?.ca ?? '' } }),
});
