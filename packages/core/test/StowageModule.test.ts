import { Container } from 'inversify';
import type { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  type DataStore,
  DataStoreToken,
  DriverRegistry,
  defineKind,
  type PersistentDataStore,
  PersistentDataStoreToken,
  type StoreStatus,
  StoreStatusToken,
  type StowageConfig,
  StowageConfigError,
  StowageConfigToken,
  StowageModule,
} from '../src/index.js';
import { vaultDriverDefinition } from './support/vaultDriver.js';

const things = defineKind<{ key: string; version: number }>('things');

describe('StowageModule', () => {
  it('binds the store, its raw form, its status and its config under the documented tokens', async () => {
    const stowage = await StowageModule.fromConfig(
      { driver: 'memory', prefix: 'di', cache: { ttl: '1m' } },
      { env: {} },
    );
    const container = new Container();
    await container.load(stowage.containerModule);
    const store = container.get<DataStore>(DataStoreToken);
    expect(container.get<DataStore>(DataStoreToken)).toBe(store);
    expect(container.get<PersistentDataStore>(PersistentDataStoreToken)).toBe(store.raw);
    expect(container.get<Observable<StoreStatus>>(StoreStatusToken)).toBe(store.status$);
    expect(container.get<StowageConfig>(StowageConfigToken).prefix).toBe('di');
    await store.upsert(things, { key: 'a', version: 1 });
    expect(await store.get(things, 'a')).toEqual({ key: 'a', version: 1 });

    // Unbinding closes the store the container created.
    await container.unbindAllAsync();
    await expect(store.get(things, 'a')).rejects.toMatchObject({ code: 'closed' });
  });

  it('validates the configuration before anything is bound', async () => {
    const error = await StowageModule.fromConfig({ driver: 'nope' }, { env: {} }).catch(
      (caught: unknown) => caught,
    );
    expect(StowageConfigError.is(error)).toBe(true);
  });

  it('selects a third-party driver registered by name', async () => {
    const registry = new DriverRegistry().register(vaultDriverDefinition);
    const stowage = await StowageModule.fromConfig(
      { driver: 'vault', vault: { url: 'vault://host', password: 'long enough' } },
      { env: {}, registry },
    );
    const container = new Container();
    await container.load(stowage.containerModule);
    const store = container.get<DataStore>(DataStoreToken);
    await store.upsert(things, { key: 'x', version: 3 });
    expect((await store.all(things)).get('x')).toEqual({ key: 'x', version: 3 });
    await container.unbindAllAsync();
  });
});
