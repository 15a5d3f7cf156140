import { createMemoryDriver } from '@stowage/memory';
import { redisDriverDefinition } from '@stowage/redis';
import { describe, expect, it } from 'vitest';
import {
  createDataStore,
  type DriverDefinition,
  defineKind,
  loadConfig,
  StowageConfigError,
} from '../src/index.js';

// A bundled app has no driver package to look up by name: it hands its definitions in.

const things = defineKind<{ key: string; version: number }>('things');

interface LabelOptions {
  readonly label?: string;
}

/** A stand-in for the Redis driver, backed by memory: selected as `redis`, never looked up. */
const bundledRedis: DriverDefinition<LabelOptions> = {
  name: 'redis',
  environment: { STOWAGE_REDIS_LABEL: 'label' },
  validateOptions: (section) => ({ ok: true, options: (section ?? {}) as LabelOptions }),
  load:
    async () =>
    (_options, { prefix }) =>
      createMemoryDriver({ prefix }),
};

describe('definitions handed in', () => {
  it('are selected by name in createDataStore, replacing the built-in of that name', async () => {
    const store = await createDataStore(
      { driver: 'redis' },
      { env: { STOWAGE_REDIS_LABEL: 'bundled' }, drivers: [bundledRedis] },
    );
    await store.upsert(things, { key: 'a', version: 1 });
    expect(await store.get(things, 'a')).toEqual({ key: 'a', version: 1 });
    await store.close();
  });

  it('are used by loadConfig, their variables routed through their own table', async () => {
    const config = await loadConfig(
      {},
      { env: { STOWAGE_DRIVER: 'redis', STOWAGE_REDIS_LABEL: 'x' }, drivers: [bundledRedis] },
    );
    expect(config.definition).toBe(bundledRedis);
    expect(config.driverOptions).toEqual({ label: 'x' });
    // The table is the definition's: the built-in Redis variables are unknown to this one.
    const error = await loadConfig(
      { driver: 'redis' },
      { env: { STOWAGE_REDIS_URL: 'redis://127.0.0.1:6379' }, drivers: [bundledRedis] },
    ).catch((caught: unknown) => caught);
    expect((error as StowageConfigError).issues).toEqual([
      {
        path: 'STOWAGE_REDIS_URL',
        message: 'is not a variable of the "redis" driver (known: STOWAGE_REDIS_LABEL)',
      },
    ]);
  });

  it("take a driver package's own definition as it is", async () => {
    const config = await loadConfig(
      { driver: 'redis', redis: { url: 'redis://127.0.0.1:6379' } },
      { env: {}, drivers: [redisDriverDefinition] },
    );
    expect(config.definition).toBe(redisDriverDefinition);
    expect(config.driverOptions).toMatchObject({ url: 'redis://127.0.0.1:6379' });
  });

  it('are for that call only: the registry others select from is left as it was', async () => {
    const echo: DriverDefinition = { ...bundledRedis, name: 'echo', environment: {} };
    await expect(
      loadConfig({ driver: 'echo' }, { env: {}, drivers: [echo] }),
    ).resolves.toBeDefined();
    const error = await loadConfig({ driver: 'echo' }, { env: {} }).catch(
      (caught: unknown) => caught,
    );
    expect(StowageConfigError.is(error)).toBe(true);
    expect((error as StowageConfigError).issues[0]?.path).toBe('driver');
  });
});
