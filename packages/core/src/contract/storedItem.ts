import type { SerializedItemDescriptor } from './SerializedItemDescriptor.js';
import { isValidVersion } from './validation.js';

/**
 * The string a driver stores for an item: the body verbatim, or, for a tombstone given without a
 * body, `{"key":K,"version":V,"deleted":true}`, the form other writers of the schema use. Every
 * driver stores this same string, so `get` answers byte for byte alike whichever driver is used.
 */
export function toStoredString(key: string, descriptor: SerializedItemDescriptor): string {
  return descriptor.serializedItem ?? tombstoneBody(key, descriptor.version);
}

/** The body of a tombstone as other writers of the schema store it. */
export function tombstoneBody(key: string, version: number): string {
  return `{"key":${JSON.stringify(key)},"version":${version},"deleted":true}`;
}

/** The version and deleted flag a stored body says, as every reader of the schema takes them. */
export interface BodyFields {
  readonly version: number;
  readonly deleted: boolean;
}

/**
 * Reads `version` and `deleted` out of a stored body, or says what makes it unreadable: not JSON,
 * not a JSON object, no valid version, or a `deleted` that is neither a boolean nor absent (`null`
 * counts as absent, as other readers of the schema take it). The one rule by which every driver
 * reads a body back, and by which every write is checked before it is sent.
 */
export function readBody(stored: string): BodyFields | string {
  let body: unknown;
  try {
    body = JSON.parse(stored);
  } catch {
    return 'is not JSON';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'must be a JSON object';
  }
  const { version, deleted } = body as { version?: unknown; deleted?: unknown };
  if (!isValidVersion(version)) {
    return `must hold a "version" that is a non-negative safe integer (got ${JSON.stringify(version) ?? 'none'})`;
  }
  if (deleted !== undefined && deleted !== null && typeof deleted !== 'boolean') {
    return `must hold a "deleted" that is true, false or absent (got ${JSON.stringify(deleted)})`;
  }
  return { version, deleted: deleted === true };
}

/**
 * Reads the true version and deleted flag out of a stored string (which may have been written by
 * another writer of the schema). Returns `undefined` when {@link readBody} finds it unreadable:
 * the caller reports a serialization error naming the kind and key.
 */
export function parseStoredString(stored: string): SerializedItemDescriptor | undefined {
  const fields = readBody(stored);
  if (typeof fields === 'string') return undefined;
  return { version: fields.version, deleted: fields.deleted, serializedItem: stored };
}
