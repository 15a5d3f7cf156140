import { createMemoryDriver } from '@stowage/memory';
import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../src/exitCodes.js';
import { kindsOf, parseKindsFlag } from '../src/target.js';

// Without a server: how the commands pick their kinds.
describe('the kinds a command works on', () => {
  it('come from --kinds, sorted, or from listKinds', async () => {
    const store = createMemoryDriver({ prefix: 'kinds' });
    await store.upsert({ namespace: 'b' }, 'k', { version: 1, deleted: true });
    expect(await kindsOf(store, undefined)).toEqual([{ namespace: 'b' }]);
    expect(await kindsOf(store, parseKindsFlag('z, a'))).toEqual([
      { namespace: 'a' },
      { namespace: 'z' },
    ]);
  });

  it('must be named with --kinds for a driver without listKinds', async () => {
    const { listKinds: _, ...store } = createMemoryDriver({ prefix: 'kinds' }) as ReturnType<
      typeof createMemoryDriver
    > & { listKinds?: unknown };
    const error = await kindsOf(store, undefined).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({
      exitCode: ExitCode.Usage,
      message: expect.stringContaining('name them with --kinds a,b'),
    });
    expect(await kindsOf(store, parseKindsFlag('x'))).toEqual([{ namespace: 'x' }]);
  });

  it('refuses a --kinds entry that is not a valid namespace', () => {
    expect(() => parseKindsFlag('ok,no:colon')).toThrow(
      /--kinds: Invalid kind namespace "no:colon"/,
    );
  });
});
