import { StoreErrorCode } from './StoreErrorCode.js';
import { StowageError } from './StowageError.js';

// The codes of a failure that means the call was refused before the backend could apply it.
const NOT_APPLIED: ReadonlySet<string> = new Set<StoreErrorCode>([
  StoreErrorCode.Connection,
  StoreErrorCode.Closed,
  StoreErrorCode.ReadOnly,
  StoreErrorCode.Config,
  StoreErrorCode.Auth,
  StoreErrorCode.Permission,
  StoreErrorCode.Tls,
  StoreErrorCode.InvalidKind,
  StoreErrorCode.InvalidKey,
  StoreErrorCode.InvalidDescriptor,
]);

/**
 * True when a write that failed with `error` cannot have been applied (it was never sent, or
 * refused as invalid); false when its outcome may be unknown (a timeout, a lost answer, an error
 * of the backend's).
 */
export function neverApplied(error: unknown): boolean {
  return StowageError.is(error) && NOT_APPLIED.has(error.code);
}
