import { isUnavailabilityCode } from './StoreErrorCode.js';
import { StowageError } from './StowageError.js';

/**
 * True when `error` is a `StowageError` that means "the backend is not answering" (see
 * {@link isUnavailabilityCode}): what makes a store report itself unavailable, and what an
 * infinite-TTL cache takes a write over.
 */
export function isUnavailability(error: unknown): error is StowageError {
  return StowageError.is(error) && isUnavailabilityCode(error.code);
}
