import type { RedisSettings } from '../../options/resolveRedisSettings.js';
import type { RedisClient } from '../../topology/RedisTopology.js';
import { createForeignWriteTracker, type ForeignWriteTracker } from './ForeignWriteTracker.js';
import { trackerTarget } from './trackerTarget.js';

/**
 * The foreign-write tracker of a store, or undefined when `trackForeignWrites` is off: on the node
 * of `main` (the store's client, whatever the mode) that holds `effectivePrefix`, with the
 * store's timeouts and secrets. The store merges it into its change feed and closes it with
 * itself.
 */
export function storeTracker(
  main: RedisClient,
  settings: RedisSettings,
  effectivePrefix: string,
): ForeignWriteTracker | undefined {
  if (!settings.trackForeignWrites) return undefined;
  return createForeignWriteTracker({
    effectivePrefix,
    ...trackerTarget(main, effectivePrefix),
    connectTimeoutMs: settings.connectTimeoutMs,
    commandTimeoutMs: settings.commandTimeoutMs,
    secrets: settings.secrets,
  });
}
