import { ContainerModule, type ServiceIdentifier } from 'inversify';
import type { Observable } from 'rxjs';
import { type LoadConfigOptions, loadConfig } from '../config/loadConfig.js';
import { StowageConfig } from '../config/StowageConfig.js';
import type { StowageConfigInput } from '../config/StowageConfigInput.js';
import type { PersistentDataStore } from '../contract/PersistentDataStore.js';
import { storeFromConfig } from '../drivers/createDataStore.js';
import type { StoreStatus } from '../status/StoreStatus.js';
import type { DataStore } from '../typed/DataStore.js';
import {
  DataStoreToken,
  PersistentDataStoreToken,
  StoreStatusToken,
  StowageConfigToken,
} from './tokens.js';

/** The service identifiers a module binds its store under. */
export interface StowageTokens {
  /** The typed `DataStore` (a singleton, closed when the container unbinds it). */
  readonly dataStore: ServiceIdentifier<DataStore>;
  /** The untyped store under it (`store.raw`). */
  readonly persistentDataStore: ServiceIdentifier<PersistentDataStore>;
  /** Its availability stream (`store.status$`). */
  readonly storeStatus: ServiceIdentifier<Observable<StoreStatus>>;
  /** The validated configuration it was built from. */
  readonly config: ServiceIdentifier<StowageConfig>;
}

/** Options of {@link StowageModule.fromConfig}. */
export interface StowageModuleOptions extends LoadConfigOptions {
  /**
   * The identifiers to bind under; default {@link DataStoreToken} and its siblings. A second
   * store in the same container needs identifiers of its own.
   */
  readonly tokens?: StowageTokens;
}

const DEFAULT_TOKENS: StowageTokens = {
  dataStore: DataStoreToken,
  persistentDataStore: PersistentDataStoreToken,
  storeStatus: StoreStatusToken,
  config: StowageConfigToken,
};

/**
 * The inversify wiring of Stowage, built from a validated configuration:
 *
 * ```ts
 * const stowage = await StowageModule.fromConfig({ driver: 'memory' });
 * await container.load(stowage.containerModule);
 * const store = container.get<DataStore>(DataStoreToken);
 * ```
 *
 * It binds the store (created on first resolution, closed by `await container.unbindAllAsync()`),
 * its untyped form, its status and its configuration under {@link tokens}. Bindings use
 * identifiers and factories, never decorator metadata, so they work with any compiler.
 */
export class StowageModule {
  private constructor(
    /** The validated configuration the module binds. */
    readonly config: StowageConfig,
    /** The identifiers the module binds under. */
    readonly tokens: StowageTokens,
    /** The inversify module to pass to `container.load`. */
    readonly containerModule: ContainerModule,
  ) {}

  /**
   * Validates the configuration (see `loadConfig`: defaults < file < environment < `input`) and
   * builds the module. Rejects with one `StowageConfigError` listing every problem.
   */
  static async fromConfig(
    input: StowageConfigInput | StowageConfig = {},
    options: StowageModuleOptions = {},
  ): Promise<StowageModule> {
    const config = input instanceof StowageConfig ? input : await loadConfig(input, options);
    const tokens = options.tokens ?? DEFAULT_TOKENS;
    const containerModule = new ContainerModule(({ bind }) => {
      bind(tokens.config).toConstantValue(config);
      bind(tokens.dataStore)
        .toDynamicValue(() => storeFromConfig(config))
        .inSingletonScope()
        .onDeactivation((store) => store.close());
      bind(tokens.persistentDataStore).toDynamicValue(
        (context) => context.get(tokens.dataStore).raw,
      );
      bind(tokens.storeStatus).toDynamicValue((context) => context.get(tokens.dataStore).status$);
    });
    return new StowageModule(config, tokens, containerModule);
  }
}
