import { startSentinelGroup } from '@stowage/testing';
import { registerRedisConformance } from './support/registerRedisConformance.js';
import { groupAsServer } from './support/topologyServers.js';

// The contract through Sentinel (1 primary, 2 replicas, 3 sentinels, passwords on both): the
// driver asks the sentinels for the primary. Raw writes go to that primary directly.
let sentinels: Array<{ host: string; port: number }> = [];

registerRedisConformance({
  name: 'redis (sentinel)',
  start: async () => {
    const group = await startSentinelGroup({
      password: 'data-secret',
      sentinelPassword: 'sentinel-secret',
    });
    sentinels = group.sentinels.map(({ host, port }) => ({ host, port }));
    return groupAsServer(group);
  },
  storeOptions: () => ({
    mode: 'sentinel',
    sentinels,
    name: 'mymaster',
    password: 'data-secret',
    sentinelPassword: 'sentinel-secret',
  }),
  unreachableOptions: (port) => ({
    mode: 'sentinel',
    sentinels: [{ host: '127.0.0.1', port }],
    name: 'mymaster',
  }),
});
