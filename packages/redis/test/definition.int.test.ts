import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// `@stowage/redis/definition` as an application imports it: from the built package, through its
// `exports` map, in a child process whose module graph is its own. No server is needed; the
// build is (scripts/test.sh builds before testing).
const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const built = fileURLToPath(new URL('../dist/definition.js', import.meta.url));

/** A resolve hook that refuses the client libraries, so that any import of them fails. */
const REFUSE_CLIENT = `export async function resolve(specifier, context, next) {
  if (/^(ioredis|cluster-key-slot)(\\/|$)/.test(specifier)) throw new Error('refused ' + specifier);
  return next(specifier, context);
}`;

/** Runs `program` as an ES module in the package's directory (so it resolves the package itself). */
async function node(program: string): Promise<string[]> {
  if (!existsSync(built)) throw new Error(`${built} is missing: run pnpm build first`);
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', program], {
    cwd: packageDir,
  });
  return stdout.trim().split('\n');
}

describe('@stowage/redis/definition', () => {
  it('checks options without loading ioredis; load() is what brings it in', async () => {
    const [name, validation, loading, root] = await node(`
      import { register } from 'node:module';
      register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(REFUSE_CLIENT)}));
      const { redisDriverDefinition } = await import('@stowage/redis/definition');
      console.log(redisDriverDefinition.name);
      console.log(JSON.stringify(redisDriverDefinition.validateOptions({ port: 'x' })));
      const failure = (error) => error.message;
      console.log(await redisDriverDefinition.load().then(() => 'loaded', failure));
      console.log(await import('@stowage/redis').then(() => 'loaded', failure));
    `);
    expect(name).toBe('redis');
    expect(JSON.parse(validation ?? '')).toEqual({
      ok: false,
      issues: [{ path: 'port', message: 'must be an integer from 1 to 65535' }],
    });
    // The hook is live: the driver, and the package root, do need ioredis.
    expect(loading).toBe('refused ioredis');
    expect(root).toBe('refused ioredis');
  });

  it('load() returns a factory that creates the store', async () => {
    const output = await node(`
      const { redisDriverDefinition } = await import('@stowage/redis/definition');
      const create = await redisDriverDefinition.load();
      const store = create({ port: 1 }, { prefix: 'ctx' });
      console.log(store.effectivePrefix);
      await store.close();
    `);
    expect(output).toEqual(['ctx']);
  });
});
