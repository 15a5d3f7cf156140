import { describe, expect, it } from 'vitest';
import { forEachYielding, SLICE_MS } from '../src/contract/yieldingLoop.js';

describe('forEachYielding', () => {
  it('visits every item in order', async () => {
    const seen: number[] = [];
    await forEachYielding([1, 2, 3], (n) => seen.push(n));
    expect(seen).toEqual([1, 2, 3]);
  });

  it('gives other callbacks a turn during long work, and none during short work', async () => {
    let turns = 0;
    const ticker = setInterval(() => {
      turns += 1;
    }, 0);
    try {
      const busy = (ms: number) => {
        const until = performance.now() + ms;
        while (performance.now() < until) {}
      };
      // 256 items per clock check: 2,048 items of 0.05 ms each hold the loop about 100 ms.
      await forEachYielding(new Array(2048).fill(0), () => busy(0.05));
      expect(turns).toBeGreaterThan(100 / (SLICE_MS * 4));
      const before = turns;
      await forEachYielding([1, 2, 3], () => {});
      expect(turns).toBe(before);
    } finally {
      clearInterval(ticker);
    }
  });

  it('stops at the first failure', async () => {
    const seen: number[] = [];
    await expect(
      forEachYielding([1, 2, 3], (n) => {
        if (n === 2) throw new Error('bad item');
        seen.push(n);
      }),
    ).rejects.toThrow('bad item');
    expect(seen).toEqual([1]);
  });
});
