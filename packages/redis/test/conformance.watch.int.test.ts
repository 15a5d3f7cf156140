import { startRedisServer } from '@stowage/testing';
import { aclRules, WATCH_COMMANDS, withoutListKinds } from './support/minimalAcl.js';
import { registerRedisConformance } from './support/registerRedisConformance.js';

// An ACL user denied scripting: the default `auto` strategy finds EVALSHA refused and switches to
// WATCH/MULTI/EXEC on dedicated connections, which calls the upsert hook between read and write.
registerRedisConformance({
  name: 'redis (WATCH fallback, scripting denied)',
  prefixBase: 'watch',
  supportsUpsertHook: true,
  // The rule has no SCAN: the suite sees the store without the optional listKinds.
  decorate: withoutListKinds,
  start: () =>
    startRedisServer({
      password: 'admin-secret',
      users: [
        {
          name: 'noscripts',
          password: 'noscripts-secret',
          rules: [...aclRules('watch-*', WATCH_COMMANDS), '-@scripting'],
        },
      ],
    }),
  storeOptions: (server) => ({
    host: server.host,
    port: server.port,
    username: 'noscripts',
    password: 'noscripts-secret',
  }),
});
