import type { RedisSettings } from '../options/resolveRedisSettings.js';
import { clusterTopology } from './cluster.js';
import type { RedisTopology } from './RedisTopology.js';
import { sentinelTopology } from './sentinel.js';
import { standaloneTopology } from './standalone.js';

/**
 * The one place that picks the topology, by the explicit `mode` option: never by guessing from
 * which connection options happen to be present.
 */
export function createTopology(settings: RedisSettings): RedisTopology {
  switch (settings.mode) {
    case 'standalone':
      return standaloneTopology(settings);
    case 'sentinel':
      return sentinelTopology(settings);
    case 'cluster':
      return clusterTopology(settings);
    default: {
      const unknown: never = settings.mode;
      throw new Error(`Unknown Redis mode ${String(unknown)}`);
    }
  }
}
