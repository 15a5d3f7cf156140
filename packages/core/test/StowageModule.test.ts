import { Container } from 'inversify';
import type { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  type DataStore,
  defineKind,
  type PersistentDataStore,
  type StoreStatus,
  type StowageConfig,
  StowageConfigError,
} from '../src/index.js';
import {
  DataStoreToken,
  PersistentDataStoreToken,
  StoreStatusToken,
  StowageConfigToken,
  StowageModule,
  type StowageTokens,
} from '../src/inversify.js';
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

  it('selects a third-party driver handed in by its definition', async () => {
    const stowage = await StowageModule.fromConfig(
      { driver: 'vault', vault: { url: 'vault://host', password: 'long enough' } },
      { env: {}, drivers: [vaultDriverDefinition] },
    );
    const container = new Container();
    await container.load(stowage.containerModule);
    const store = container.get<DataStore>(DataStoreToken);
    await store.upsert(things, { key: 'x', version: 3 });
    expect((await store.all(things)).get('x')).toEqual({ key: 'x', version: 3 });
    await container.unbindAllAsync();
  });

  it('binds a second store in the same container under identifiers of its own', async () => {
    const archive: StowageTokens = {
      dataStore: Symbol('archive store'),
      persistentDataStore: Symbol('archive raw store'),
      storeStatus: Symbol('archive status'),
      config: Symbol('archive config'),
    };
    const main = await StowageModule.fromConfig({ prefix: 'main' }, { env: {} });
    const second = await StowageModule.fromConfig(
      { prefix: 'archive' },
      { env: {}, tokens: archive },
    );
    expect(second.tokens).toBe(archive);
    const container = new Container();
    await container.load(main.containerModule, second.containerModule);

    const mainStore = container.get(DataStoreToken) as DataStore;
    const archiveStore = container.get(archive.dataStore);
    expect(archiveStore).not.toBe(mainStore);
    expect(container.get(archive.persistentDataStore)).toBe(archiveStore.raw);
    expect(container.get(archive.storeStatus)).toBe(archiveStore.status$);
    expect(container.get(archive.config).prefix).toBe('archive');
    expect(container.get<StowageConfig>(StowageConfigToken).prefix).toBe('main');

    // Two stores, each with its own data: memory drivers of their own backends.
    await mainStore.upsert(things, { key: 'a', version: 1 });
    await archiveStore.upsert(things, { key: 'a', version: 7 });
    expect(await mainStore.get(things, 'a')).toEqual({ key: 'a', version: 1 });
    expect(await archiveStore.get(things, 'a')).toEqual({ key: 'a', version: 7 });

    await container.unbindAllAsync();
    await expect(mainStore.get(things, 'a')).rejects.toMatchObject({ code: 'closed' });
    await expect(archiveStore.get(things, 'a')).rejects.toMatchObject({ code: 'closed' });
  });

  it('builds a read-only store when configured so', async () => {
    const stowage = await StowageModule.fromConfig({ readOnly: true }, { env: {} });
    const container = new Container();
    await container.load(stowage.containerModule);
    const store = container.get<DataStore>(DataStoreToken);
    await expect(store.upsert(things, { key: 'a', version: 1 })).rejects.toMatchObject({
      code: 'read-only',
    });
    await container.unbindAllAsync();
  });
});
