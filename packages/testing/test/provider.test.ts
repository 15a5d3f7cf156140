import { describe, expect, it } from 'vitest';
import { HarnessErrorCode, resolveRedisProvider } from '../src/index.js';

describe('resolveRedisProvider', () => {
  it('defaults to local processes', () => {
    expect(resolveRedisProvider(undefined, {})).toBe('process');
    expect(resolveRedisProvider(undefined, { REDIS_TEST_PROVIDER: '' })).toBe('process');
  });

  it('takes REDIS_TEST_PROVIDER, and the option over it', () => {
    expect(resolveRedisProvider(undefined, { REDIS_TEST_PROVIDER: 'container' })).toBe('container');
    expect(resolveRedisProvider('process', { REDIS_TEST_PROVIDER: 'container' })).toBe('process');
    expect(resolveRedisProvider('container', {})).toBe('container');
  });

  it('rejects any other value, naming where it came from', () => {
    expect(() => resolveRedisProvider(undefined, { REDIS_TEST_PROVIDER: 'docker' })).toThrow(
      expect.objectContaining({
        code: HarnessErrorCode.InvalidOptions,
        message: expect.stringMatching(/REDIS_TEST_PROVIDER .*"docker"/),
      }),
    );
    expect(() => resolveRedisProvider('podman' as 'process', {})).toThrow(/provider must be/);
  });
});
