import type { SerializedItemDescriptor } from '../contract/SerializedItemDescriptor.js';
import { StoreErrorCode } from './StoreErrorCode.js';
import { StowageError } from './StowageError.js';

const MAX_KEYS_IN_MESSAGE = 5;

/**
 * One or more stored values of a kind are not valid serialized items (not JSON, not an object, or
 * without a valid version). Carries the items of the same read that did parse, so that a caller can
 * decide to go on with them.
 */
export class StowageSerializationError extends StowageError {
  /** The namespace of the kind that was read. */
  readonly kind: string;
  /** The keys whose stored values could not be read. */
  readonly keys: ReadonlyArray<string>;
  /** The items of the same read that parsed (empty for a single-item read). */
  readonly parsed: ReadonlyMap<string, SerializedItemDescriptor>;

  constructor(
    kind: string,
    keys: ReadonlyArray<string>,
    parsed: ReadonlyMap<string, SerializedItemDescriptor> = new Map(),
  ) {
    const shown = keys.slice(0, MAX_KEYS_IN_MESSAGE).map((key) => JSON.stringify(key));
    const more = keys.length > MAX_KEYS_IN_MESSAGE ? ` and ${keys.length - shown.length} more` : '';
    super(
      StoreErrorCode.Serialization,
      `Stored value of kind "${kind}" is not a valid serialized item (key ${shown.join(', ')}${more})`,
    );
    this.kind = kind;
    this.keys = keys;
    this.parsed = parsed;
  }

  /** True when `value` is a serialization error from any installed copy of this package. */
  static override is(value: unknown): value is StowageSerializationError {
    return (
      StowageError.is(value, StoreErrorCode.Serialization) &&
      Array.isArray((value as StowageSerializationError).keys)
    );
  }
}

Object.defineProperty(StowageSerializationError.prototype, 'name', {
  value: 'StowageSerializationError',
  writable: true,
  configurable: true,
});
