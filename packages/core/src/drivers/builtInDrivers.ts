/** Where a built-in driver's definition is imported from when configuration selects it. */
export interface BuiltInDriver {
  /** A subpath that exports the definition without loading the driver's client library. */
  readonly specifier: string;
  /** The name of the exported `DriverDefinition`. */
  readonly exportName: string;
}

/**
 * The drivers configuration can select by name without registering them. Core knows only where
 * each definition lives: the options, their defaults and their environment variables belong to
 * the driver's package, so a new driver option never needs a core release.
 */
export const BUILT_IN_DRIVERS: Readonly<Record<string, BuiltInDriver>> = {
  memory: { specifier: '@stowage/memory/definition', exportName: 'memoryDriverDefinition' },
  redis: { specifier: '@stowage/redis/definition', exportName: 'redisDriverDefinition' },
  postgres: {
    specifier: '@stowage/postgres/definition',
    exportName: 'postgresDriverDefinition',
  },
};
