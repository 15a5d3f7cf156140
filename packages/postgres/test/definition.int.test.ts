import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// `@stowage/postgres/definition` as an application imports it: from the built package, through
// its `exports` map, in a child process whose module graph is its own. No server is needed; the
// build is.
const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const built = fileURLToPath(new URL('../dist/definition.js', import.meta.url));

/** A resolve hook that refuses pg, so that any import of it fails. */
const REFUSE_CLIENT = `export async function resolve(specifier, context, next) {
  if (/^(pg|pg-[a-z-]+)(\\/|$)/.test(specifier)) throw new Error('refused ' + specifier);
  return next(specifier, context);
}`;

async function node(program: string): Promise<string[]> {
  if (!existsSync(built)) throw new Error(`${built} is missing: run pnpm build first`);
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', program], {
    cwd: packageDir,
  });
  return stdout.trim().split('\n');
}

describe('@stowage/postgres/definition', () => {
  it('checks options without loading pg; load() is what brings it in', async () => {
    const [name, validation, loading] = await node(`
      import { register } from 'node:module';
      register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(REFUSE_CLIENT)}));
      const { postgresDriverDefinition } = await import('@stowage/postgres/definition');
      console.log(postgresDriverDefinition.name);
      console.log(JSON.stringify(postgresDriverDefinition.validateOptions({ port: 'x', prefix: 'p' })));
      console.log(await postgresDriverDefinition.load().then(() => 'loaded', (error) => error.message));
    `);
    expect(name).toBe('postgres');
    expect(
      JSON.parse(validation ?? '').issues.map((issue: { path: string }) => issue.path),
    ).toEqual(['port', 'prefix']);
    expect(loading).toBe('refused pg');
  });

  it('load() returns a factory that creates the store, without I/O', async () => {
    const output = await node(`
      const { postgresDriverDefinition } = await import('@stowage/postgres/definition');
      const create = await postgresDriverDefinition.load();
      const store = create({ port: 1 }, { prefix: 'ctx' });
      console.log(store.table);
      await store.close();
    `);
    expect(output).toEqual(['"public"."stowage_items"']);
  });
});
