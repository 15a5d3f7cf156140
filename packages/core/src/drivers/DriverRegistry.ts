import { StowageConfigError } from '../errors/StowageConfigError.js';
import { BUILT_IN_DRIVERS } from './builtInDrivers.js';
import { definitionIssues } from './checkDefinition.js';
import type { DriverDefinition } from './DriverDefinition.js';
import { driverVariablePrefix } from './driverVariablePrefix.js';
import { importBuiltInDriver } from './importBuiltInDriver.js';

const builtIn = (name: string) =>
  Object.hasOwn(BUILT_IN_DRIVERS, name) ? BUILT_IN_DRIVERS[name] : undefined;

/**
 * The drivers configuration can select, by name. The built-in ones (`memory`, `redis`) are
 * imported only when selected, so an app that uses memory never loads ioredis; definitions
 * registered or handed in are used as they are, replacing a built-in of the same name.
 */
export class DriverRegistry {
  private readonly registered: Map<string, DriverDefinition>;
  // Shared with the registries made by `with`: a built-in is imported once per process.
  private readonly loaded: Map<string, Promise<DriverDefinition>>;

  constructor(
    registered: ReadonlyMap<string, DriverDefinition> = new Map(),
    loaded: Map<string, Promise<DriverDefinition>> = new Map(),
  ) {
    this.registered = new Map(registered);
    this.loaded = loaded;
  }

  /**
   * Makes a driver selectable by `definition.name`. Throws a configuration error when the
   * definition breaks a rule (see `definitionIssues`) or its variables' prefix is another
   * driver's.
   */
  register(definition: DriverDefinition): this {
    const issues = definitionIssues(definition);
    const prefix = issues.length === 0 ? driverVariablePrefix(definition.name) : undefined;
    const clash = this.names().find(
      (name) => name !== definition.name && driverVariablePrefix(name) === prefix,
    );
    if (clash !== undefined) {
      issues.push({
        path: 'definition.name',
        message: `its variables would share the prefix ${prefix} with the "${clash}" driver`,
      });
    }
    if (issues.length > 0) throw new StowageConfigError('Invalid driver definition', issues);
    this.registered.set(definition.name, definition);
    return this;
  }

  /** A registry with `definitions` registered as well, leaving this one as it is. */
  with(definitions: ReadonlyArray<DriverDefinition>): DriverRegistry {
    const registry = new DriverRegistry(this.registered, this.loaded);
    for (const definition of definitions) registry.register(definition);
    return registry;
  }

  /** Every selectable driver name, built-in and registered. */
  names(): string[] {
    return [...new Set([...Object.keys(BUILT_IN_DRIVERS), ...this.registered.keys()])];
  }

  /** True when `name` can be selected. */
  has(name: string): boolean {
    return this.registered.has(name) || builtIn(name) !== undefined;
  }

  /**
   * The definition of a driver, importing a built-in one on first use. Rejects with a config
   * error naming the package to install when a built-in driver's package is missing.
   */
  load(name: string): Promise<DriverDefinition> {
    const registered = this.registered.get(name);
    if (registered !== undefined) return Promise.resolve(registered);
    const location = builtIn(name);
    if (location === undefined) {
      return Promise.reject(
        new StowageConfigError('Invalid Stowage configuration', [
          { path: 'driver', message: `unknown driver; known: ${this.names().join(', ')}` },
        ]),
      );
    }
    let loading = this.loaded.get(name);
    if (loading === undefined) {
      loading = importBuiltInDriver(name, location);
      this.loaded.set(name, loading);
      loading.catch(() => this.loaded.delete(name));
    }
    return loading;
  }
}

/** The registry `registerDriver` adds to, and the one configuration selects from. */
export const defaultDriverRegistry: DriverRegistry = new DriverRegistry();

/**
 * Makes a third-party driver selectable by name in configuration (`driver: 'my-driver'`), for
 * every store created afterwards. An app that cannot rely on package lookup (a bundle) hands its
 * definitions to `createDataStore(config, { drivers: [...] })` instead.
 */
export function registerDriver(definition: DriverDefinition): void {
  defaultDriverRegistry.register(definition);
}
