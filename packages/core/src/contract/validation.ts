import { StoreErrorCode } from '../errors/StoreErrorCode.js';
import { StowageError } from '../errors/StowageError.js';
import type { DataKind } from './DataKind.js';
import type { FullDataSet } from './PersistentDataStore.js';
import type { SerializedItemDescriptor } from './SerializedItemDescriptor.js';
import { readBody } from './storedItem.js';
import { forEachInSlices } from './yieldingLoop.js';

/**
 * The longest item key every driver accepts, in UTF-8 bytes. Redis would take far more; the limit
 * keeps one stray key from costing megabytes in every `getAll` and every cache.
 */
export const MAX_KEY_BYTES = 8192;

/** The longest namespace of a kind, in characters. */
export const MAX_NAMESPACE_LENGTH = 200;

const NAMESPACE_PATTERN = /^[A-Za-z0-9_.-]+$/;

function invalid(code: StoreErrorCode, message: string): StowageError {
  return new StowageError(code, message);
}

/** True when `namespace` is a valid namespace of a {@link DataKind}. */
export function isValidNamespace(namespace: string): boolean {
  return namespace.length <= MAX_NAMESPACE_LENGTH && NAMESPACE_PATTERN.test(namespace);
}

/** Throws an `invalid-kind` error unless `kind` is a valid {@link DataKind}. */
export function validateKind(kind: unknown): asserts kind is DataKind {
  const namespace = (kind as { namespace?: unknown } | null | undefined)?.namespace;
  if (typeof namespace !== 'string') {
    throw invalid(StoreErrorCode.InvalidKind, 'A kind must be an object with a string namespace');
  }
  if (!isValidNamespace(namespace)) {
    throw invalid(
      StoreErrorCode.InvalidKind,
      `Invalid kind namespace ${JSON.stringify(namespace.slice(0, 50))}: use 1 to ${MAX_NAMESPACE_LENGTH} letters, digits, "_", "-" or "."`,
    );
  }
}

/**
 * Throws an `invalid-key` error unless `key` is a non-empty, well-formed string of at most
 * {@link MAX_KEY_BYTES} UTF-8 bytes. Any character is allowed, NUL included; a lone UTF-16
 * surrogate is not, because Redis would store U+FFFD in its place and the key would read back
 * different from what was written.
 */
export function validateKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw invalid(StoreErrorCode.InvalidKey, 'An item key must be a non-empty string');
  }
  if (!key.isWellFormed()) {
    throw invalid(
      StoreErrorCode.InvalidKey,
      'An item key must not contain a lone UTF-16 surrogate',
    );
  }
  // Three bytes per UTF-16 unit is the most UTF-8 can need, so short keys skip the count.
  if (key.length * 3 > MAX_KEY_BYTES && Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw invalid(
      StoreErrorCode.InvalidKey,
      `An item key must be at most ${MAX_KEY_BYTES} UTF-8 bytes (got ${Buffer.byteLength(key, 'utf8')})`,
    );
  }
}

/** True when `version` is a valid item version: a non-negative safe integer. */
export function isValidVersion(version: unknown): version is number {
  return typeof version === 'number' && Number.isSafeInteger(version) && version >= 0;
}

/**
 * Throws an `invalid-descriptor` error unless the descriptor's fields have valid types: a
 * non-negative safe integer version, a boolean `deleted`, and a string body, which only a
 * tombstone may omit. Does not parse the body.
 */
export function validateDescriptor(
  descriptor: unknown,
  key: string,
): asserts descriptor is SerializedItemDescriptor {
  const where = `item ${JSON.stringify(key.slice(0, 100))}`;
  if (typeof descriptor !== 'object' || descriptor === null) {
    throw invalid(StoreErrorCode.InvalidDescriptor, `The descriptor of ${where} must be an object`);
  }
  const { version, deleted, serializedItem } = descriptor as Record<string, unknown>;
  if (!isValidVersion(version)) {
    throw invalid(
      StoreErrorCode.InvalidDescriptor,
      `The version of ${where} must be a non-negative safe integer (got ${String(version)})`,
    );
  }
  if (typeof deleted !== 'boolean') {
    throw invalid(
      StoreErrorCode.InvalidDescriptor,
      `The deleted flag of ${where} must be a boolean`,
    );
  }
  if (serializedItem === undefined ? !deleted : typeof serializedItem !== 'string') {
    throw invalid(
      StoreErrorCode.InvalidDescriptor,
      `The serializedItem of ${where} must be a string (only a tombstone may omit it)`,
    );
  }
}

/**
 * Throws an `invalid-descriptor` error unless every driver would read the descriptor back as it
 * was given: its body, when present, is a JSON object with a valid `version` equal to the
 * descriptor's and a `deleted` that is a boolean (or absent) and agrees with the descriptor's.
 * This is the same reading every driver applies on `get` ({@link parseStoredString}), so a write
 * that passes can never make a key, or its whole kind, unreadable.
 */
export function validateBody(key: string, descriptor: SerializedItemDescriptor): void {
  const { serializedItem, version, deleted } = descriptor;
  if (serializedItem === undefined) return;
  const read = readBody(serializedItem);
  if (typeof read === 'string') {
    throw invalid(
      StoreErrorCode.InvalidDescriptor,
      `The serializedItem of item ${JSON.stringify(key.slice(0, 100))} ${read}`,
    );
  }
  if (read.version !== version || read.deleted !== deleted) {
    throw invalid(
      StoreErrorCode.InvalidDescriptor,
      `The serializedItem of item ${JSON.stringify(key.slice(0, 100))} disagrees with its descriptor (version ${String(read.version)} vs ${version}, deleted ${String(read.deleted)} vs ${deleted})`,
    );
  }
}

/**
 * Everything `upsert` checks before it touches a backend: the kind, the key, the descriptor, and
 * that every driver can read the body back ({@link validateBody}).
 */
export function validateUpsert(kind: unknown, key: unknown, descriptor: unknown): void {
  validateKind(kind);
  validateKey(key);
  validateDescriptor(descriptor, key);
  validateBody(key, descriptor);
}

/** The kinds of a data set, each checked for its shape (its items are not looked at). */
function checkedKinds(allData: unknown): ReadonlyArray<{ kind: DataKind; items: unknown[] }> {
  if (!Array.isArray(allData)) {
    throw invalid(StoreErrorCode.InvalidDescriptor, 'init expects an array of { kind, items }');
  }
  for (const entry of allData as ReadonlyArray<{ kind?: unknown; items?: unknown }>) {
    validateKind(entry?.kind);
    if (!Array.isArray(entry.items)) {
      throw invalid(
        StoreErrorCode.InvalidDescriptor,
        `The items of kind "${entry.kind.namespace}" must be an array of [key, descriptor]`,
      );
    }
  }
  return allData as ReadonlyArray<{ kind: DataKind; items: unknown[] }>;
}

/** Checks one item of a data set as `upsert` checks its arguments. */
function validateKeyedItem(kind: DataKind, item: unknown): void {
  if (!Array.isArray(item)) {
    throw invalid(
      StoreErrorCode.InvalidDescriptor,
      `The items of kind "${kind.namespace}" must be [key, descriptor] pairs`,
    );
  }
  const [key, descriptor] = item as [unknown, unknown];
  validateKey(key);
  validateDescriptor(descriptor, key);
  validateBody(key, descriptor);
}

/**
 * Everything `init` checks before it touches a backend: the shape of the data set, every kind,
 * key and descriptor, and every body, exactly as `upsert` does: a data set is accepted only if
 * every driver could read all of it back.
 */
export function validateFullDataSet(allData: unknown): asserts allData is FullDataSet {
  for (const { kind, items } of checkedKinds(allData)) {
    for (const item of items) validateKeyedItem(kind, item);
  }
}

/**
 * {@link validateFullDataSet}, giving the event loop a turn every few milliseconds: checking a
 * body parses it, which for 100,000 items would hold the event loop for a fifth of a second.
 * Resolves when the data set is valid; rejects with the first problem.
 */
export async function validateFullDataSetYielding(allData: unknown): Promise<void> {
  for (const { kind, items } of checkedKinds(allData)) {
    const pending = forEachInSlices(items, (item) => validateKeyedItem(kind, item));
    if (pending !== undefined) await pending;
  }
}

/** The prefix a store uses when none is configured. */
export const DEFAULT_PREFIX = 'stowage';

/**
 * What is wrong with a prefix, or `undefined` when it is valid: a non-empty, well-formed string
 * of at most 512 bytes without whitespace or control characters (it appears in every key and in
 * ACL rules). An empty prefix is a configuration error, never a silent default.
 */
export function prefixProblem(prefix: unknown): string | undefined {
  if (typeof prefix !== 'string' || prefix.length === 0) return 'must be a non-empty string';
  if (!prefix.isWellFormed() || /[\s\p{Cc}]/u.test(prefix)) {
    return 'must not contain whitespace, control characters or lone surrogates';
  }
  if (Buffer.byteLength(prefix, 'utf8') > 512) return 'must be at most 512 bytes';
  return undefined;
}
