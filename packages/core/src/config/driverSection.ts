import type { DriverDefinition, DriverFactory } from '../drivers/DriverDefinition.js';
import type { DriverRegistry } from '../drivers/DriverRegistry.js';
import { missingPackage } from '../drivers/importBuiltInDriver.js';
import { type ConfigIssue, StowageConfigError } from '../errors/StowageConfigError.js';
import { type EnvironmentLayer, setPath } from './readEnvironment.js';

/**
 * A section or a `STOWAGE_<DRIVER>_*` variable for a driver that is not selected: most likely
 * the selection was forgotten, and the app would run on another driver without a word. Reported
 * without loading that driver's package.
 */
export function unselectedDriverIssues(
  layers: Record<string, unknown>,
  selected: string,
  registry: DriverRegistry,
  environment: EnvironmentLayer,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const name of registry.names()) {
    if (name === selected) continue;
    const fix = `set STOWAGE_DRIVER=${name} (or driver: '${name}') to use it, or remove`;
    const problem = `configures the "${name}" driver, but the selected driver is "${selected}": ${fix}`;
    if (layers[name] !== undefined) {
      issues.push({ path: name, message: `${problem} the "${name}" section` });
    }
    for (const variable of environment.driverVariables.get(name)?.keys() ?? []) {
      issues.push({ path: variable, message: `${problem} the variable` });
    }
  }
  return issues;
}

/**
 * The selected driver's variables as its section, through the table of its definition. A
 * variable the table lacks is an error listing the ones it has. Sources are added to
 * `environment.sources`, so that a bad value is reported under its variable's name.
 */
export function driverEnvironment(
  definition: DriverDefinition,
  environment: EnvironmentLayer,
  issues: ConfigIssue[],
): Record<string, unknown> {
  const section: Record<string, unknown> = {};
  const table = definition.environment;
  for (const [variable, value] of environment.driverVariables.get(definition.name) ?? []) {
    const option = Object.hasOwn(table, variable) ? table[variable] : undefined;
    if (option === undefined) {
      const known = Object.keys(table);
      issues.push({
        path: variable,
        message: `is not a variable of the "${definition.name}" driver (${known.length === 0 ? 'it reads none' : `known: ${known.join(', ')}`})`,
      });
      continue;
    }
    setPath(section, `${definition.name}.${option}`, value);
    environment.sources.set(`${definition.name}.${option}`, variable);
  }
  return section;
}

/**
 * Loads the selected driver's implementation. A package it needs that is missing (ioredis for
 * Redis) is a configuration problem with the package named, found before any store exists.
 */
export async function loadFactory(
  definition: DriverDefinition,
  issues: ConfigIssue[],
): Promise<DriverFactory | undefined> {
  try {
    return await definition.load();
  } catch (error) {
    if (StowageConfigError.is(error)) {
      issues.push(...error.issues);
      return undefined;
    }
    const missing = missingPackage(error);
    issues.push({
      path: 'driver',
      message:
        missing === undefined
          ? `the "${definition.name}" driver could not be loaded: ${String((error as Error)?.message ?? error)}`
          : `the "${definition.name}" driver needs the package ${missing}: install it`,
    });
    return undefined;
  }
}
