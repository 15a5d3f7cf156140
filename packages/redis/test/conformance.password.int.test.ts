import { startRedisServer } from '@stowage/testing';
import { registerRedisConformance } from './support/registerRedisConformance.js';

// A password with characters that must be percent-encoded in a URL: proves the URL is decoded.
const PASSWORD = 'p@ss:w/rd?#%';

registerRedisConformance({
  name: 'redis (password in the URL)',
  start: () => startRedisServer({ password: PASSWORD }),
  storeOptions: (server) => ({
    url: `redis://:${encodeURIComponent(PASSWORD)}@${server.host}:${server.port}`,
  }),
});
