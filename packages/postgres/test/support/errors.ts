import { StowageError } from '@stowage/core';
import { expect } from 'vitest';

/** Awaits `promise`, expects a `StowageError` with `code`, and returns it. */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<StowageError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(StowageError.is(error), String(error)).toBe(true);
  expect((error as StowageError).code, (error as Error).message).toBe(code);
  return error as StowageError;
}

/** Every message and stack of the error and its cause chain, as one text to search. */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 10; depth += 1) {
    if (current instanceof Error) {
      parts.push(current.message, current.stack ?? '', JSON.stringify(current));
      current = current.cause;
    } else {
      parts.push(String(current));
      current = undefined;
    }
  }
  return parts.join('\n');
}

/** A descriptor of `key` at `version`. */
export function item(key: string, version: number) {
  return { version, deleted: false, serializedItem: JSON.stringify({ key, version }) };
}
