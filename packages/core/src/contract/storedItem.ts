import type { SerializedItemDescriptor } from './SerializedItemDescriptor.js';
import { isValidVersion } from './validation.js';

/**
 * The string a driver stores for an item: the body verbatim, or, for a tombstone given without a
 * body, `{"key":K,"version":V,"deleted":true}`, the form other writers of the schema use. Every
 * driver stores this same string, so `get` answers byte for byte alike whichever driver is used.
 */
export function toStoredString(key: string, descriptor: SerializedItemDescriptor): string {
  return (
    descriptor.serializedItem ??
    `{"key":${JSON.stringify(key)},"version":${descriptor.version},"deleted":true}`
  );
}

/**
 * Reads the true version and deleted flag out of a stored string (which may have been written by
 * another writer of the schema). Returns `undefined` when the string is not a JSON object with a
 * valid version, or has a `deleted` that is not a boolean: the caller reports a serialization error
 * naming the kind and key.
 */
export function parseStoredString(stored: string): SerializedItemDescriptor | undefined {
  let body: unknown;
  try {
    body = JSON.parse(stored);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { version, deleted } = body as { version?: unknown; deleted?: unknown };
  if (!isValidVersion(version)) return undefined;
  if (deleted !== undefined && deleted !== null && typeof deleted !== 'boolean') return undefined;
  return { version, deleted: deleted === true, serializedItem: stored };
}
