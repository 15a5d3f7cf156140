import { CONFIG_FILE_VARIABLE, CORE_ENVIRONMENT } from '../config/readEnvironment.js';
import type { ConfigIssue } from '../errors/StowageConfigError.js';
import type { DriverDefinition } from './DriverDefinition.js';
import { driverVariablePrefix } from './driverVariablePrefix.js';

const CORE_VARIABLES = [...Object.keys(CORE_ENVIRONMENT), CONFIG_FILE_VARIABLE];
// A driver's section sits beside core's options, so it cannot share a name with one of them.
const CORE_OPTIONS = new Set(Object.values(CORE_ENVIRONMENT).map((path) => path.split('.')[0]));

/** True when `value` has the shape of a definition (it may still break the rules below). */
const isDefinition = (value: unknown): value is DriverDefinition =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as DriverDefinition).name === 'string' &&
  typeof (value as DriverDefinition).validateOptions === 'function' &&
  typeof (value as DriverDefinition).load === 'function';

/**
 * What is wrong with a definition: the shape, a name that clashes with core's options or
 * variables, or a variable outside the driver's prefix (which core could not route to it).
 */
export function definitionIssues(definition: unknown): ConfigIssue[] {
  if (!isDefinition(definition) || definition.name === '') {
    return [{ path: 'definition', message: 'must have a name, validateOptions() and load()' }];
  }
  const { name, environment } = definition;
  const prefix = driverVariablePrefix(name);
  if (CORE_OPTIONS.has(name) || CORE_VARIABLES.some((variable) => variable.startsWith(prefix))) {
    return [{ path: 'definition.name', message: `"${name}" is taken by core's configuration` }];
  }
  if (typeof environment !== 'object' || environment === null) {
    return [{ path: 'definition.environment', message: 'must map variable names to options' }];
  }
  return Object.keys(environment)
    .filter((variable) => !variable.startsWith(prefix))
    .map((variable) => ({
      path: `definition.environment.${variable}`,
      message: `must start with ${prefix}, the prefix of the "${name}" driver's variables`,
    }));
}
