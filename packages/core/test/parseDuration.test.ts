import { describe, expect, it } from 'vitest';
import { parseDuration } from '../src/cache/parseDuration.js';

describe('parseDuration', () => {
  it('reads milliseconds, units and "infinite"', () => {
    expect(parseDuration(0)).toBe(0);
    expect(parseDuration(250)).toBe(250);
    expect(parseDuration('250')).toBe(250);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration(' 5M ')).toBe(300_000);
    expect(parseDuration('infinite')).toBe(Number.POSITIVE_INFINITY);
    expect(parseDuration(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
  });

  it('rounds a fraction of a millisecond up, so it never means "no cache"', () => {
    expect(parseDuration(0.2)).toBe(1);
    expect(parseDuration('0.5ms')).toBe(1);
  });

  it('rejects what is not a duration', () => {
    for (const value of [-1, Number.NaN, '', 'soon', '5 parsecs', '-5s', '1e3', null, {}, true]) {
      expect(parseDuration(value)).toBeUndefined();
    }
  });
});
