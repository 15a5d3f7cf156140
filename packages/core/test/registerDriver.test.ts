import { createMemoryDriver } from '@stowage/memory';
import { describe, expect, it } from 'vitest';
import { defaultDriverRegistry } from '../src/drivers/DriverRegistry.js';
import {
  createDataStore,
  type DriverDefinition,
  defineKind,
  loadConfig,
  registerDriver,
} from '../src/index.js';

// The README's "Your own driver" example, run: a third party adds a driver in a few lines.
interface EchoOptions {
  readonly label: string;
}

const echoDriver: DriverDefinition<EchoOptions> = {
  name: 'echo',
  environment: { STOWAGE_ECHO_LABEL: 'label' },
  validateOptions(section) {
    const label = (section as { label?: unknown } | undefined)?.label ?? 'echo';
    return typeof label === 'string'
      ? { ok: true, options: { label } }
      : { ok: false, issues: [{ path: 'label', message: 'must be a string' }] };
  },
  load:
    async () =>
    (_options, { prefix }) =>
      createMemoryDriver({ prefix }),
};

describe('registerDriver', () => {
  it('makes a third-party driver selectable by name, with its variables and validation', async () => {
    registerDriver(echoDriver);
    expect(defaultDriverRegistry.names()).toContain('echo');
    const store = await createDataStore({ driver: 'echo', echo: { label: 'demo' } }, { env: {} });
    const things = defineKind<{ key: string; version: number }>('things');
    await store.upsert(things, { key: 'a', version: 1 });
    expect(await store.get(things, 'a')).toEqual({ key: 'a', version: 1 });
    await store.close();

    const fromEnv = await loadConfig(
      {},
      { env: { STOWAGE_DRIVER: 'echo', STOWAGE_ECHO_LABEL: 'x' } },
    );
    expect(fromEnv.driverOptions).toEqual({ label: 'x' });
    await expect(
      loadConfig({ driver: 'echo', echo: { label: 3 } }, { env: {} }),
    ).rejects.toMatchObject({ issues: [{ path: 'echo.label', message: 'must be a string' }] });
  });
});
