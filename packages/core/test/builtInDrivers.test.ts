import { existsSync } from 'node:fs';
import { memoryDriverDefinition } from '@stowage/memory';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_DRIVERS, type DriverDefinition, DriverRegistry } from '../src/index.js';

// The table lets configuration know the built-in drivers' variables without importing them; it
// must say exactly what the definitions say.
const redisSource = new URL('../../redis/src/index.ts', import.meta.url);

describe('the built-in driver table', () => {
  it('matches the memory driver definition', async () => {
    expect(BUILT_IN_DRIVERS.memory?.environment).toEqual(memoryDriverDefinition.environment);
    expect(await new DriverRegistry().load('memory')).toBe(memoryDriverDefinition);
  });

  // @stowage/redis is written alongside core; until its entry exists there is nothing to compare.
  it.skipIf(!existsSync(redisSource))('matches the redis driver definition', async () => {
    // A variable specifier: this file must type-check before the redis package has an entry.
    const specifier = '@stowage/redis';
    const { redisDriverDefinition } = (await import(specifier)) as {
      redisDriverDefinition: DriverDefinition;
    };
    expect(redisDriverDefinition.name).toBe('redis');
    expect(BUILT_IN_DRIVERS.redis?.environment).toEqual(redisDriverDefinition.environment);
    expect(await new DriverRegistry().load('redis')).toBe(redisDriverDefinition);
  });
});
