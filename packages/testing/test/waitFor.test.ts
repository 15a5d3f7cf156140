import { describe, expect, it } from 'vitest';
import { HarnessErrorCode } from '../src/index.js';
import { waitFor, waitForSync } from '../src/waitFor.js';

describe('waitFor, the harness retry policy', () => {
  it('probes until a value comes, taking errors for "not yet"', async () => {
    let calls = 0;
    const value = await waitFor(
      'the third probe',
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('connection refused');
        return calls === 3 ? 'ready' : undefined;
      },
      { timeoutMs: 1_000, intervalMs: 1 },
    );
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('times out with TIMEOUT, naming what it waited for and the last error', async () => {
    await expect(
      waitFor(
        'a server that never answers',
        async () => {
          throw new Error('ECONNREFUSED');
        },
        { timeoutMs: 30, intervalMs: 5, details: () => 'log tail' },
      ),
    ).rejects.toMatchObject({
      code: HarnessErrorCode.Timeout,
      message: expect.stringMatching(
        /30 ms waiting for a server that never answers \(last error: ECONNREFUSED\)\nlog tail/,
      ),
    });
  });

  it('throws at once an error the policy does not retry, and stops when abortIf says so', async () => {
    let calls = 0;
    const broken = new Error('EACCES');
    await expect(
      waitFor(
        'a lock',
        async () => {
          calls += 1;
          throw broken;
        },
        { timeoutMs: 1_000, retryIf: () => false },
      ),
    ).rejects.toBe(broken);
    expect(calls).toBe(1);

    const exited = new Error('exited with code 1');
    await expect(
      waitFor('a process', async () => undefined, { timeoutMs: 1_000, abortIf: () => exited }),
    ).rejects.toBe(exited);
  });

  it('has a synchronous form with the same bounds, for exit hooks', () => {
    let calls = 0;
    expect(
      waitForSync('a count', () => (++calls >= 2 ? calls : undefined), {
        timeoutMs: 500,
        intervalMs: 1,
      }),
    ).toBe(2);
    const started = Date.now();
    expect(() => waitForSync('nothing', () => undefined, { timeoutMs: 20, intervalMs: 5 })).toThrow(
      expect.objectContaining({ code: HarnessErrorCode.Timeout }),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(20);
  });
});
