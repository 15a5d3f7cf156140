import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryDriverDefinition } from '@stowage/memory/definition';
import { redisDriverDefinition } from '@stowage/redis/definition';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BUILT_IN_DRIVERS } from '../src/drivers/builtInDrivers.js';
import { DriverRegistry } from '../src/drivers/DriverRegistry.js';
import { importBuiltInDriver } from '../src/drivers/importBuiltInDriver.js';
import { StowageConfigError } from '../src/index.js';

/** A directory holding an installed package `@stowage/<name>` whose `./definition` is `source`. */
function appWithPackage(name: string, source: string): string {
  const app = mkdtempSync(join(tmpdir(), 'stowage-app-'));
  const dir = join(app, 'node_modules', '@stowage', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: `@stowage/${name}`,
      type: 'module',
      exports: { './definition': './definition.js' },
    }),
  );
  writeFileSync(join(dir, 'definition.js'), source);
  return app;
}

// The app's own copy: what a package manager that does not link optional peers installs.
const appsMemoryDefinition = `
export const memoryDriverDefinition = {
  name: 'memory',
  environment: { STOWAGE_MEMORY_FROM: 'from' },
  validateOptions: (section) => ({ ok: true, options: section ?? {} }),
  load: async () => () => { throw new Error('not used'); },
};
`;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the built-in drivers', () => {
  it('are found by name, each from its definition subpath', async () => {
    expect(BUILT_IN_DRIVERS.memory?.specifier).toBe('@stowage/memory/definition');
    expect(await new DriverRegistry().load('memory')).toBe(memoryDriverDefinition);
    expect(await new DriverRegistry().load('redis')).toBe(redisDriverDefinition);
    expect(BUILT_IN_DRIVERS.postgres).toEqual({
      specifier: '@stowage/postgres/definition',
      exportName: 'postgresDriverDefinition',
    });
  });

  it('carry their own variables, each under their prefix', () => {
    expect(memoryDriverDefinition.environment).toEqual({});
    expect(Object.keys(redisDriverDefinition.environment)).toContain('STOWAGE_REDIS_URL');
    for (const name of Object.keys(redisDriverDefinition.environment)) {
      expect(name.startsWith('STOWAGE_REDIS_')).toBe(true);
    }
  });

  it("resolve from the working directory first, where the app's packages are", async () => {
    const app = appWithPackage('memory', appsMemoryDefinition);
    vi.spyOn(process, 'cwd').mockReturnValue(app);
    const definition = await new DriverRegistry().load('memory');
    expect(definition).not.toBe(memoryDriverDefinition);
    expect(definition.environment).toEqual({ STOWAGE_MEMORY_FROM: 'from' });
  });

  it("then from core's own location", async () => {
    vi.spyOn(process, 'cwd').mockReturnValue(mkdtempSync(join(tmpdir(), 'stowage-empty-')));
    expect(await new DriverRegistry().load('memory')).toBe(memoryDriverDefinition);
  });

  it('name the package and both places looked in when it is in neither', async () => {
    const app = mkdtempSync(join(tmpdir(), 'stowage-empty-'));
    vi.spyOn(process, 'cwd').mockReturnValue(app);
    const error = await importBuiltInDriver('absent', {
      specifier: '@stowage/absent/definition',
      exportName: 'absentDriverDefinition',
    }).catch((caught: unknown) => caught);
    expect(StowageConfigError.is(error)).toBe(true);
    const [issue] = (error as StowageConfigError).issues;
    expect(issue?.path).toBe('driver');
    expect(issue?.message).toContain('the "absent" driver needs the package @stowage/absent');
    expect(issue?.message).toContain(`working directory ${app}`);
    expect(issue?.message).toMatch(/from @stowage\/core in \/.*packages\/core\/src\/drivers/);
  });

  it('say so when the installed package has no definition subpath (an older version)', async () => {
    const app = appWithPackage('memory', appsMemoryDefinition);
    vi.spyOn(process, 'cwd').mockReturnValue(app);
    const error = await importBuiltInDriver('memory', {
      specifier: '@stowage/memory/other',
      exportName: 'memoryDriverDefinition',
    }).catch((caught: unknown) => caught);
    expect((error as StowageConfigError).issues).toEqual([
      {
        path: 'driver',
        message:
          'the installed @stowage/memory has no other entry: install the version that matches @stowage/core',
      },
    ]);
  });
});
