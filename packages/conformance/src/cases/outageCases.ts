import { type PersistentDataStore, type StoreErrorCode, StowageError } from '@stowage/core';
import { isUnavailabilityCode } from '@stowage/core/driver';
import { describe, expect, it } from 'vitest';
import { features, item } from '../fixtures.js';
import type { SuiteContext } from '../SuiteContext.js';

// Time the suite allows beyond the driver's own timeout for the rejection to arrive.
const GRACE_MS = 1500;

const HUNG = Symbol('hung');

async function settleWithin(promise: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof HUNG>((resolve) => {
    timer = setTimeout(() => resolve(HUNG), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A store pointed at a backend that cannot be reached fails every call, fast and typed. */
export function outageCases({ target }: SuiteContext): void {
  const createUnreachable = target.createUnreachableStore;
  if (createUnreachable === undefined) return;
  const timeoutMs = target.unreachableTimeoutMs ?? 5000;

  describe('with the backend unreachable', () => {
    const operations = {
      init: (s) => s.init([{ kind: features, items: [['a', item('a', 1)]] }]),
      get: (s) => s.get(features, 'a'),
      getAll: (s) => s.getAll(features),
      upsert: (s) => s.upsert(features, 'a', item('a', 1)),
      isInitialized: (s) => s.isInitialized(),
    } satisfies Record<string, (store: PersistentDataStore) => Promise<unknown>>;

    it.each(Object.keys(operations))(
      '%s rejects with a typed connection or timeout error, within the timeout',
      async (name) => {
        const store = await createUnreachable();
        try {
          const outcome = await settleWithin(
            operations[name as keyof typeof operations](store),
            timeoutMs + GRACE_MS,
          );
          expect(outcome, `${name} did not settle within ${timeoutMs + GRACE_MS} ms`).not.toBe(
            HUNG,
          );
          const { error } = outcome as { error?: unknown };
          expect(StowageError.is(error), `${name} must reject with a StowageError`).toBe(true);
          expect(isUnavailabilityCode((error as StowageError).code as StoreErrorCode)).toBe(true);
        } finally {
          await store.close();
        }
      },
      (timeoutMs + GRACE_MS) * 2,
    );

    it(
      'isAvailable answers false within the timeout, without throwing',
      async () => {
        const store = await createUnreachable();
        try {
          const outcome = await settleWithin(store.isAvailable(), timeoutMs + GRACE_MS);
          expect(outcome).toEqual({ value: false });
        } finally {
          await store.close();
        }
      },
      (timeoutMs + GRACE_MS) * 2,
    );

    it(
      'close settles without hanging, and calls afterwards are closed errors',
      async () => {
        const store = await createUnreachable();
        const pending = store.get(features, 'a').catch(() => undefined);
        expect(await settleWithin(store.close(), timeoutMs + GRACE_MS)).toEqual({
          value: undefined,
        });
        await pending;
        const outcome = await settleWithin(store.get(features, 'a'), GRACE_MS);
        expect((outcome as { error?: { code?: unknown } }).error?.code).toBe('closed');
      },
      (timeoutMs + GRACE_MS) * 3,
    );
  });
}
