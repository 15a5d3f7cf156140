import { memoryDriverDefinition } from '@stowage/memory';
import { redisDriverDefinition } from '@stowage/redis';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_DRIVERS, DriverRegistry } from '../src/index.js';

// The table lets configuration know the built-in drivers' variables without importing them; it
// must say exactly what the definitions say.
describe('the built-in driver table', () => {
  it('matches the memory driver definition', async () => {
    expect(BUILT_IN_DRIVERS.memory?.environment).toEqual(memoryDriverDefinition.environment);
    expect(await new DriverRegistry().load('memory')).toBe(memoryDriverDefinition);
  });

  it('matches the redis driver definition', async () => {
    expect(redisDriverDefinition.name).toBe('redis');
    expect(BUILT_IN_DRIVERS.redis?.environment).toEqual(redisDriverDefinition.environment);
    expect(await new DriverRegistry().load('redis')).toBe(redisDriverDefinition);
  });
});
