import { createRequire, register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

// Which packages does an app that only uses memory load? Loader hooks record every URL Node
// resolves from here on; ioredis (CommonJS) would also show up in the require cache.
const resolved: string[] = [];
const { port1, port2 } = new MessageChannel();
port1.on('message', (url: string) => resolved.push(url));
port1.unref();
register(new URL('./support/recordImports.mjs', import.meta.url), {
  data: { port: port2 },
  transferList: [port2],
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
const loaded = (name: string) =>
  resolved.some((url) => url.includes(`/node_modules/${name}/`)) ||
  Object.keys(createRequire(import.meta.url).cache).some((path) =>
    path.includes(`/node_modules/${name}/`),
  );

describe('lazy loading', () => {
  it('a memory store loads neither ioredis nor inversify', async () => {
    const core = await import('../src/index.js');
    // A variable of the Redis driver is refused without loading it to find out.
    await expect(
      core.loadConfig({}, { env: { STOWAGE_REDIS_URL: 'redis://127.0.0.1:6380' } }),
    ).rejects.toMatchObject({ issues: [{ path: 'STOWAGE_REDIS_URL' }] });
    const store = await core.createDataStore({ driver: 'memory' }, { env: {} });
    const kind = core.defineKind<{ key: string; version: number }>('things');
    await store.upsert(kind, { key: 'a', version: 1 });
    expect(await store.get(kind, 'a')).toEqual({ key: 'a', version: 1 });
    await store.close();
    await settle();
    expect(resolved.some((url) => url.includes('/node_modules/rxjs/'))).toBe(true);
    expect(loaded('ioredis')).toBe(false);
    expect(
      loaded('@stowage/redis') || resolved.some((url) => url.includes('/packages/redis/')),
    ).toBe(false);
    expect(loaded('inversify')).toBe(false);
  });

  it('inversify is loaded by the inversify entry only (and the hooks do see it)', async () => {
    const { StowageModule } = await import('../src/inversify.js');
    await StowageModule.fromConfig({ driver: 'memory' }, { env: {} });
    await settle();
    expect(loaded('inversify')).toBe(true);
  });
});
