import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILT_IN_DRIVERS } from '../config/builtInDrivers.js';
import { StowageConfigError } from '../errors/StowageConfigError.js';
import type { DriverDefinition } from './DriverDefinition.js';

/** Where an environment variable of a driver goes: the driver and the option of its section. */
export interface DriverVariable {
  readonly driver: string;
  readonly option: string;
}

// A variable, not a literal, so that TypeScript and bundlers do not try to resolve the driver
// packages at build time: core has no compile-time dependency on them (they depend on core).
const importModule = (specifier: string): Promise<Record<string, unknown>> => import(specifier);

const notFound = (error: unknown): boolean =>
  (error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND';

/**
 * Imports a driver package as core sees it (an optional peer dependency: the usual case), or else
 * as the application sees it: in a workspace, or with a package manager that does not link
 * optional peers, the driver is installed next to the app, not next to core.
 */
async function importDriverPackage(specifier: string): Promise<Record<string, unknown>> {
  try {
    return await importModule(specifier);
  } catch (error) {
    if (!notFound(error)) throw error;
    const bases = [process.argv[1], join(process.cwd(), 'index.js')];
    for (const base of bases) {
      if (base === undefined) continue;
      let path: string;
      try {
        path = createRequire(base).resolve(specifier);
      } catch {
        continue;
      }
      return importModule(pathToFileURL(path).href);
    }
    throw error;
  }
}

const isDefinition = (value: unknown): value is DriverDefinition<unknown> =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as DriverDefinition).name === 'string' &&
  typeof (value as DriverDefinition).validateOptions === 'function' &&
  typeof (value as DriverDefinition).load === 'function';

/**
 * The drivers configuration can select, by name. The built-in ones (`memory`, `redis`) are
 * imported only when selected, so an app that uses memory never loads ioredis; a third party adds
 * its own with {@link register}.
 */
export class DriverRegistry {
  private readonly registered = new Map<string, DriverDefinition<unknown>>();
  private readonly loaded = new Map<string, Promise<DriverDefinition<unknown>>>();

  /**
   * Makes a driver selectable by `definition.name` (replacing a built-in of the same name).
   * Its `environment` variables become known configuration variables.
   */
  register<TOptions>(definition: DriverDefinition<TOptions>): this {
    if (!isDefinition(definition)) {
      throw new StowageConfigError('Invalid driver definition', [
        { path: 'definition', message: 'must have a name, validateOptions() and load()' },
      ]);
    }
    this.registered.set(definition.name, definition as DriverDefinition<unknown>);
    return this;
  }

  /** Every selectable driver name, built-in and registered. */
  names(): string[] {
    return [...new Set([...Object.keys(BUILT_IN_DRIVERS), ...this.registered.keys()])];
  }

  /** True when `name` can be selected. */
  has(name: string): boolean {
    return this.registered.has(name) || Object.hasOwn(BUILT_IN_DRIVERS, name);
  }

  /**
   * Every `STOWAGE_*` variable a driver reads, known without importing any driver package (the
   * built-ins' names come from a table kept in sync with their definitions by a test).
   */
  variables(): Map<string, DriverVariable> {
    const variables = new Map<string, DriverVariable>();
    for (const [driver, builtIn] of Object.entries(BUILT_IN_DRIVERS)) {
      if (this.registered.has(driver)) continue;
      for (const [name, option] of Object.entries(builtIn.environment)) {
        variables.set(name, { driver, option });
      }
    }
    for (const [driver, definition] of this.registered) {
      for (const [name, option] of Object.entries(definition.environment ?? {})) {
        variables.set(name, { driver, option });
      }
    }
    return variables;
  }

  /**
   * The definition of a driver, importing a built-in one on first use. Rejects with a config
   * error naming the package to install when a built-in driver's package is missing.
   */
  load(name: string): Promise<DriverDefinition<unknown>> {
    const registered = this.registered.get(name);
    if (registered !== undefined) return Promise.resolve(registered);
    let loading = this.loaded.get(name);
    if (loading === undefined) {
      loading = this.importBuiltIn(name);
      this.loaded.set(name, loading);
      loading.catch(() => this.loaded.delete(name));
    }
    return loading;
  }

  private async importBuiltIn(name: string): Promise<DriverDefinition<unknown>> {
    const builtIn = Object.hasOwn(BUILT_IN_DRIVERS, name) ? BUILT_IN_DRIVERS[name] : undefined;
    if (builtIn === undefined) {
      throw new StowageConfigError('Invalid Stowage configuration', [
        { path: 'driver', message: `unknown driver; known: ${this.names().join(', ')}` },
      ]);
    }
    let exports: Record<string, unknown>;
    try {
      exports = await importDriverPackage(builtIn.specifier);
    } catch (error) {
      // Name the package that is missing: the driver's own, or one it needs (ioredis).
      const missing = /Cannot find (?:package|module) '([^']+)'/.exec(String(error))?.[1];
      throw new StowageConfigError('Invalid Stowage configuration', [
        {
          path: 'driver',
          message: notFound(error)
            ? `the "${name}" driver needs the package ${missing ?? builtIn.specifier}: install it`
            : `the package ${builtIn.specifier} could not be loaded`,
        },
      ]);
    }
    const definition = exports[builtIn.exportName];
    if (!isDefinition(definition)) {
      throw new StowageConfigError('Invalid Stowage configuration', [
        { path: 'driver', message: `${builtIn.specifier} does not export ${builtIn.exportName}` },
      ]);
    }
    return definition;
  }
}

/** The registry `createDataStore` and `StowageModule` use unless given another. */
export const defaultDriverRegistry: DriverRegistry = new DriverRegistry();

/**
 * Makes a third-party driver selectable by name in configuration (`driver: 'my-driver'`), for
 * every store created afterwards with the default registry.
 */
export function registerDriver<TOptions>(definition: DriverDefinition<TOptions>): void {
  defaultDriverRegistry.register(definition);
}
