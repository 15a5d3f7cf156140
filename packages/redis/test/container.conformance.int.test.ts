import { startRedisServer, whyNoContainerEngine } from '@stowage/testing';
import { describe } from 'vitest';
import { aclRules, SCRIPT_COMMANDS, withoutListKinds } from './support/minimalAcl.js';
import { registerRedisConformance } from './support/registerRedisConformance.js';

// The contract against Redis in containers (the harness's container provider): the same suite as
// over local processes, reached through a port the engine publishes on 127.0.0.1. Plain, a minimal
// ACL user, and TLS with verification.
const noEngine = await whyNoContainerEngine();
if (noEngine !== undefined) console.warn(`container conformance skipped: ${noEngine}`);

describe.skipIf(noEngine !== undefined)('in containers', () => {
  registerRedisConformance({
    name: 'redis container (plain)',
    start: () => startRedisServer({ provider: 'container' }),
    storeOptions: (server) => ({ url: server.url }),
  });

  registerRedisConformance({
    name: 'redis container (minimal ACL user)',
    prefixBase: 'cacl',
    start: () =>
      startRedisServer({
        provider: 'container',
        password: 'admin-secret',
        users: [
          { name: 'app', password: 'app-secret', rules: aclRules('cacl-*', SCRIPT_COMMANDS) },
        ],
      }),
    storeOptions: (server) => ({
      host: server.host,
      port: server.port,
      username: 'app',
      password: 'app-secret',
    }),
    // The minimal rule has no SCAN: the suite sees the store without the optional listKinds.
    decorate: withoutListKinds,
  });

  registerRedisConformance({
    name: 'redis container (TLS, verified)',
    start: () => startRedisServer({ provider: 'container', tls: {} }),
    storeOptions: (server) => ({ url: server.url, tls: { ca: server.tls?.ca ?? '' } }),
  });
});
