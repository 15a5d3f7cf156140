import { createMemoryDriver } from '@stowage/memory';
import { describe, expect, it } from 'vitest';
import {
  type DriverDefinition,
  loadConfig,
  registerDriver,
  StowageConfigError,
} from '../src/index.js';
import { vaultDriverDefinition } from './support/vaultDriver.js';

// A driver's STOWAGE_<DRIVER>_* variables belong to it: core finds the driver by the prefix and
// routes them through the table of the selected driver's definition.

/** A driver that keeps whatever its section holds, so a test can see what was routed. */
function keepingDriver(name: string, environment: Record<string, string>): DriverDefinition {
  return {
    name,
    environment,
    validateOptions: (section) => ({ ok: true, options: section ?? {} }),
    load: async () => () => createMemoryDriver(),
  };
}

async function issuesOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!StowageConfigError.is(error)) throw new Error(`expected a config error, got ${error}`);
  return error.issues;
}

describe("a driver's variables", () => {
  it("are routed through the selected driver's table, reported under their own names", async () => {
    const env = {
      STOWAGE_DRIVER: 'vault',
      STOWAGE_VAULT_URL: 'v://x',
      STOWAGE_VAULT_PASSWORD: 'abc',
    };
    expect(await issuesOf(loadConfig({}, { env, drivers: [vaultDriverDefinition] }))).toEqual([
      { path: 'STOWAGE_VAULT_PASSWORD', message: expect.stringContaining('too short') },
    ]);
    // The object passed in still wins over the environment.
    const config = await loadConfig(
      { vault: { password: 'long enough' } },
      { env, drivers: [vaultDriverDefinition] },
    );
    expect(config.driverOptions).toEqual({ url: 'v://x', password: 'long enough' });
  });

  it("are an error when the selected driver's table lacks one, listing the ones it has", async () => {
    const env = {
      STOWAGE_DRIVER: 'vault',
      STOWAGE_VAULT_URL: 'v://x',
      STOWAGE_VAULT_PASSWORD: 'long enough',
      STOWAGE_VAULT_TOKEN: 'x',
    };
    expect(await issuesOf(loadConfig({}, { env, drivers: [vaultDriverDefinition] }))).toEqual([
      {
        path: 'STOWAGE_VAULT_TOKEN',
        message:
          'is not a variable of the "vault" driver (known: STOWAGE_VAULT_URL, STOWAGE_VAULT_PASSWORD)',
      },
    ]);
    expect(await issuesOf(loadConfig({}, { env: { STOWAGE_MEMORY_SIZE: '1' } }))).toEqual([
      { path: 'STOWAGE_MEMORY_SIZE', message: expect.stringContaining('it reads none') },
    ]);
  });

  it('go to the driver with the longest matching name', async () => {
    const drivers = [
      keepingDriver('vault', { STOWAGE_VAULT_URL: 'url' }),
      keepingDriver('vault-ha', { STOWAGE_VAULT_HA_URL: 'url' }),
    ];
    const env = { STOWAGE_VAULT_HA_URL: 'v://ha' };
    const ha = await loadConfig({ driver: 'vault-ha' }, { env, drivers });
    expect(ha.driverOptions).toEqual({ url: 'v://ha' });
    expect(await issuesOf(loadConfig({ driver: 'vault' }, { env, drivers }))).toEqual([
      {
        path: 'STOWAGE_VAULT_HA_URL',
        message: expect.stringContaining('configures the "vault-ha" driver'),
      },
    ]);
  });

  it('leave a STOWAGE_ variable of no driver and not of core an error, naming the prefixes', async () => {
    const issues = await issuesOf(loadConfig({}, { env: { STOWAGE_MONGO_URL: 'x' } }));
    expect(issues).toEqual([
      { path: 'STOWAGE_MONGO_URL', message: expect.stringContaining('is not a Stowage variable') },
    ]);
    expect(issues[0]?.message).toContain('STOWAGE_MEMORY_*, STOWAGE_REDIS_*');
  });
});

describe('a definition', () => {
  it('is refused when a variable lies outside its prefix, which core could not route', async () => {
    const stray = keepingDriver('vault', { STOWAGE_VAULT_URL: 'url', VAULT_TOKEN: 'token' });
    expect(() => registerDriver(stray)).toThrow(/VAULT_TOKEN: must start with STOWAGE_VAULT_/);
    expect(await issuesOf(loadConfig({}, { env: {}, drivers: [stray] }))).toEqual([
      {
        path: 'definition.environment.VAULT_TOKEN',
        message: expect.stringContaining('must start with STOWAGE_VAULT_'),
      },
    ]);
  });

  it("is refused when its name is one of core's options or shares another driver's prefix", async () => {
    expect(() => registerDriver(keepingDriver('cache', {}))).toThrow(/taken by core/);
    expect(() => registerDriver(keepingDriver('config', {}))).toThrow(/taken by core/);
    const clash = [keepingDriver('my.store', {}), keepingDriver('my-store', {})];
    expect(await issuesOf(loadConfig({}, { env: {}, drivers: clash }))).toEqual([
      {
        path: 'definition.name',
        message:
          'its variables would share the prefix STOWAGE_MY_STORE_ with the "my.store" driver',
      },
    ]);
  });
});
