import { StoreErrorCode } from './StoreErrorCode.js';
import { StowageError, type StowageErrorOptions } from './StowageError.js';

/**
 * The error every operation of a closed store rejects with. `operation` names the call in the
 * message (`Redis get`); `options.cause` carries what the call met as the store closed, if anything.
 */
export function closedError(operation?: string, options?: StowageErrorOptions): StowageError {
  const message =
    operation === undefined ? 'The store is closed' : `${operation} failed: the store is closed`;
  return new StowageError(StoreErrorCode.Closed, message, options);
}
