import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StowageConfigError } from '../errors/StowageConfigError.js';
import type { BuiltInDriver } from './builtInDrivers.js';
import { definitionIssues } from './checkDefinition.js';
import type { DriverDefinition } from './DriverDefinition.js';

// A variable, not a literal, so that TypeScript and bundlers do not try to resolve the driver
// packages at build time: core has no compile-time dependency on them (they depend on core).
const importModule = (specifier: string): Promise<Record<string, unknown>> => import(specifier);

const coreLocation = dirname(fileURLToPath(import.meta.url));

const errorCode = (error: unknown): unknown => (error as { code?: unknown }).code;

const isNotFound = (error: unknown): boolean =>
  errorCode(error) === 'ERR_MODULE_NOT_FOUND' || errorCode(error) === 'MODULE_NOT_FOUND';

/** The package a failed import could not find, when the error names one. */
export function missingPackage(error: unknown): string | undefined {
  if (!isNotFound(error)) return undefined;
  return /Cannot find (?:package|module) '([^']+)'/.exec(String(error))?.[1];
}

/** `@scope/name` or `name`, without the subpath. */
const packageName = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/**
 * Where `specifier` resolves from `directory`: through the `node_modules` folders from there up,
 * as Node resolves, but never through `NODE_PATH` (package managers set it for their own tools),
 * or `undefined` when none holds the package.
 */
function resolveFrom(directory: string, specifier: string): string | undefined {
  const name = packageName(specifier);
  for (let dir = resolve(directory); ; dir = dirname(dir)) {
    const manifest = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) return createRequire(manifest).resolve(specifier);
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Imports a driver package as the application sees it (from the working directory: a driver
 * installed next to the app, which package managers that do not link optional peers leave out
 * of core's reach), or else as core sees it (an optional peer dependency).
 */
async function importDriverPackage(specifier: string): Promise<Record<string, unknown>> {
  const fromApp = resolveFrom(process.cwd(), specifier);
  return importModule(fromApp === undefined ? specifier : pathToFileURL(fromApp).href);
}

function configError(message: string): StowageConfigError {
  return new StowageConfigError('Invalid Stowage configuration', [{ path: 'driver', message }]);
}

/** The configuration error for a package that could not be imported, naming what to install. */
function importError(name: string, specifier: string, error: unknown): StowageConfigError {
  const pkg = packageName(specifier);
  if (errorCode(error) === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
    return configError(
      `the installed ${pkg} has no ${specifier.slice(pkg.length + 1)} entry: install the version that matches @stowage/core`,
    );
  }
  if (!isNotFound(error)) return configError(`the package ${pkg} could not be loaded`);
  // A package the driver itself needs (ioredis) is named as it is; the driver's own package is
  // named with where it was looked for, the two places an install can put it.
  const missing = missingPackage(error) ?? pkg;
  return missing === pkg || missing.startsWith(`${pkg}/`)
    ? configError(
        `the "${name}" driver needs the package ${pkg}: install it (looked for it from the working directory ${process.cwd()} and from @stowage/core in ${coreLocation})`,
      )
    : configError(`the "${name}" driver needs the package ${missing}: install it`);
}

/**
 * The definition a built-in driver's package exports. Rejects with a configuration error naming
 * the package to install, and where it was looked for, when it is missing.
 */
export async function importBuiltInDriver(
  name: string,
  builtIn: BuiltInDriver,
): Promise<DriverDefinition> {
  let exports: Record<string, unknown>;
  try {
    exports = await importDriverPackage(builtIn.specifier);
  } catch (error) {
    throw importError(name, builtIn.specifier, error);
  }
  const definition = exports[builtIn.exportName];
  const issues = definitionIssues(definition);
  if (issues.length > 0 || (definition as DriverDefinition).name !== name) {
    throw configError(
      `${builtIn.specifier} does not export the "${name}" driver's definition as ${builtIn.exportName}`,
    );
  }
  return definition as DriverDefinition;
}
