import type { ContainerModule } from 'inversify';
import { type LoadConfigOptions, loadConfig } from '../config/loadConfig.js';
import { StowageConfig } from '../config/StowageConfig.js';
import type { StowageConfigInput } from '../config/StowageConfigInput.js';
import { StoreErrorCode } from '../errors/StoreErrorCode.js';
import { StowageError } from '../errors/StowageError.js';
import type { DataStore } from '../typed/DataStore.js';
import { storeFromConfig } from './createDataStore.js';
import {
  DataStoreToken,
  PersistentDataStoreToken,
  StoreStatusToken,
  StowageConfigToken,
} from './tokens.js';

// inversify is an optional peer dependency: it is imported here, on first use, and not by
// `import '@stowage/core'`, so that apps without DI neither load nor install it. The factory is
// async anyway (drivers are imported lazily too), so this costs nothing and keeps one entry point.
async function importInversify(): Promise<typeof import('inversify')> {
  try {
    return await import('inversify');
  } catch (error) {
    throw new StowageError(
      StoreErrorCode.Config,
      'StowageModule needs the package inversify (7 or 8): install it next to @stowage/core',
      { cause: error },
    );
  }
}

/**
 * The inversify wiring of Stowage, built from a validated configuration:
 *
 * ```ts
 * const stowage = await StowageModule.fromConfig({ driver: 'memory' });
 * await container.load(stowage.containerModule);
 * const store = container.get<DataStore>(DataStoreToken);
 * ```
 *
 * It binds {@link DataStoreToken} (a singleton created on first resolution, closed by
 * `await container.unbindAllAsync()`), {@link PersistentDataStoreToken}, {@link StoreStatusToken}
 * and {@link StowageConfigToken}. Bindings use explicit tokens and factories, never decorator
 * metadata, so they work with any compiler.
 */
export class StowageModule {
  private constructor(
    /** The validated configuration the module binds. */
    readonly config: StowageConfig,
    /** The inversify module to pass to `container.load`. */
    readonly containerModule: ContainerModule,
  ) {}

  /**
   * Validates the configuration (see `loadConfig`: defaults < file < environment < `input`) and
   * builds the module. Rejects with one `StowageConfigError` listing every problem.
   */
  static async fromConfig(
    input: StowageConfigInput | StowageConfig = {},
    options: LoadConfigOptions = {},
  ): Promise<StowageModule> {
    const config = input instanceof StowageConfig ? input : await loadConfig(input, options);
    const { ContainerModule } = await importInversify();
    const containerModule = new ContainerModule(({ bind }) => {
      bind(StowageConfigToken).toConstantValue(config);
      bind<DataStore>(DataStoreToken)
        .toDynamicValue(() => storeFromConfig(config))
        .inSingletonScope()
        .onDeactivation((store) => store.close());
      bind(PersistentDataStoreToken).toDynamicValue(
        (context) => context.get<DataStore>(DataStoreToken).raw,
      );
      bind(StoreStatusToken).toDynamicValue(
        (context) => context.get<DataStore>(DataStoreToken).status$,
      );
    });
    return new StowageModule(config, containerModule);
  }
}
