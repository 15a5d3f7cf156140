import { describe, expect, it } from 'vitest';
import { runQuickstart } from '../src/runQuickstart.js';

describe('the quick start', () => {
  it('runs on memory by default and prints what it sees', async () => {
    const lines: string[] = [];
    await runQuickstart({ env: {}, watch: false, print: (line) => lines.push(line) });
    expect(lines.join('\n')).toMatchInlineSnapshot(`
      "config: StowageConfig {"driver":"memory","prefix":"stowage","cache":{"ttl":30000},"status":{"pollIntervalMs":500},"memory":{"backend":"[object]"}}
      status: available, feed down
      status: available, feed live
      after init:
        dark-mode      v1 off Dark theme
        new-checkout   v1 off One-page checkout
        old-banner     v1 on  Legacy promo banner
      upsert new-checkout v2: applied
      upsert new-checkout v1: rejected, stored is v2
      delete old-banner v2: applied
      get old-banner: (none)
      get new-checkout: v2 on  One-page checkout
      after changes:
        dark-mode      v1 off Dark theme
        new-checkout   v2 on  One-page checkout
      instance B reads new-checkout: v2 on  One-page checkout
      instance B hears: features new-checkout is now v3
      instance A writes new-checkout v3: applied
      instance B reads new-checkout: v3 off One-page checkout (paused)
      taking the memory backend offline
      status: available, feed down
      status: unavailable (connection), feed down
      cached read while offline: v1 off Dark theme
      uncached read while offline fails: connection
      bringing the memory backend back
      status: unavailable (connection), feed live
      status: available, feed live (needs refresh: re-init from the source)
      closed"
    `);
  });

  it('stops on a configuration error before doing anything', async () => {
    const lines: string[] = [];
    await expect(
      runQuickstart({ env: { STOWAGE_DRIVR: 'redis' }, watch: false, print: (l) => lines.push(l) }),
    ).rejects.toMatchObject({ code: 'config' });
    expect(lines).toEqual([]);
  });
});
