import type { DataKind, PersistentDataStore, SerializedItemDescriptor } from '@stowage/core';
import { expect } from 'vitest';

/** Two kinds, so that every case can check that one kind leaves the other alone. */
export const features: DataKind = { namespace: 'features' };
export const segments: DataKind = { namespace: 'segments' };

/** A live item whose body agrees with its descriptor, as the typed store writes it. */
export function item(key: string, version: number, extra: object = {}): SerializedItemDescriptor {
  return {
    version,
    deleted: false,
    serializedItem: JSON.stringify({ key, version, ...extra }),
  };
}

/** A tombstone, with the body other writers of the schema use, or without a body. */
export function tombstone(key: string, version: number, withBody = true): SerializedItemDescriptor {
  return withBody
    ? { version, deleted: true, serializedItem: JSON.stringify({ key, version, deleted: true }) }
    : { version, deleted: true };
}

/** The keys and versions of a getAll result, sorted, for readable assertions. */
export async function versionsOf(
  store: PersistentDataStore,
  kind: DataKind,
): Promise<Record<string, number>> {
  const all = await store.getAll(kind);
  return Object.fromEntries([...all].map(([key, d]) => [key, d.version]).sort());
}

/** Expects `promise` to reject with a StowageError-shaped error with one of `codes`. */
export async function expectCode(promise: Promise<unknown>, ...codes: string[]): Promise<unknown> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason ?? new Error('rejected with nothing'),
  );
  expect(error, `expected a rejection with code ${codes.join(' or ')}`).toBeInstanceOf(Error);
  expect(codes).toContain((error as { code?: unknown }).code);
  return error;
}

/** A deterministic shuffle (mulberry32), so a failing order can be reproduced. */
export function shuffled<T>(values: ReadonlyArray<T>, seed: number): T[] {
  const result = [...values];
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}
