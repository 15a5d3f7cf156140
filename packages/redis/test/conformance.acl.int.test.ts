import { startRedisServer } from '@stowage/testing';
import { aclRules, SCRIPT_COMMANDS, withoutListKinds } from './support/minimalAcl.js';
import { registerRedisConformance } from './support/registerRedisConformance.js';

// An ACL user with the minimal rule: its keys only, the driver's commands only (no +@all). The
// suite's prefixes are `acl-<run>-<n>`, so the key pattern is `acl-*` (one store's rule would be
// `~P:*`; the driver tests check that exact form).
registerRedisConformance({
  name: 'redis (minimal ACL user)',
  prefixBase: 'acl',
  start: () =>
    startRedisServer({
      password: 'admin-secret',
      users: [{ name: 'app', password: 'app-secret', rules: aclRules('acl-*', SCRIPT_COMMANDS) }],
    }),
  // The minimal rule has no SCAN: the suite sees the store without the optional listKinds.
  decorate: withoutListKinds,
  storeOptions: (server) => ({
    host: server.host,
    port: server.port,
    username: 'app',
    password: 'app-secret',
  }),
});
