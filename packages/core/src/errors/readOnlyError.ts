import { StoreErrorCode } from './StoreErrorCode.js';
import { StowageError } from './StowageError.js';

/**
 * The error a write (`init`, `upsert`, `delete`) of a store configured `readOnly` rejects with,
 * before anything is sent to the driver. `operation` names the call in the message.
 */
export function readOnlyError(operation: string): StowageError {
  return new StowageError(
    StoreErrorCode.ReadOnly,
    `${operation} refused: the store is read-only (readOnly / STOWAGE_READ_ONLY); another process writes it`,
  );
}
