/**
 * The stable codes of every `StowageError`. Callers branch on these, never on message text.
 */
export const StoreErrorCode = {
  /** Options or configuration are invalid; the error lists every problem with its path. */
  Config: 'config',
  /** The backend could not be reached, or the connection dropped before the command was sent. */
  Connection: 'connection',
  /** A read did not complete within the command timeout. */
  Timeout: 'timeout',
  /** A write was sent but no answer came in time: it may or may not have been applied. */
  OutcomeUnknown: 'outcome-unknown',
  /** The backend refused the credentials. */
  Auth: 'auth',
  /** The credentials were accepted but lack a right the operation needs (e.g. a Redis ACL rule). */
  Permission: 'permission',
  /** The TLS handshake failed: certificate not trusted, hostname mismatch, or TLS on one side only. */
  Tls: 'tls',
  /** An optimistic write lost every bounded retry to concurrent writers; nothing was written. */
  Conflict: 'conflict',
  /** A stored value is not a valid serialized item. */
  Serialization: 'serialization',
  /** The store was closed by the application. */
  Closed: 'closed',
  /** A kind's namespace is empty or has characters outside `[A-Za-z0-9_.-]`. */
  InvalidKind: 'invalid-kind',
  /** An item key is empty, not a well-formed string, or longer than the documented byte limit. */
  InvalidKey: 'invalid-key',
  /** A descriptor's version, deleted flag or body is invalid or they disagree. */
  InvalidDescriptor: 'invalid-descriptor',
  /** The write was applied, but fewer replicas than required confirmed it. */
  DurabilityNotConfirmed: 'durability-not-confirmed',
  /** A write (`init`, `upsert`, `delete`) on a store configured `readOnly`; nothing was sent. */
  ReadOnly: 'read-only',
  /** The backend answered with an error that fits no other code. */
  Backend: 'backend',
} as const;

/** One of the values of {@link StoreErrorCode}. */
export type StoreErrorCode = (typeof StoreErrorCode)[keyof typeof StoreErrorCode];

const unavailabilityCodes: ReadonlySet<StoreErrorCode> = new Set([
  StoreErrorCode.Connection,
  StoreErrorCode.Timeout,
  StoreErrorCode.OutcomeUnknown,
]);

/**
 * True for the codes that mean "the backend is not answering" (connection, timeout, outcome
 * unknown). Only these make a store report itself unavailable; a conflict, a corrupt value or the
 * application's own `close()` do not.
 */
export function isUnavailabilityCode(code: StoreErrorCode): boolean {
  return unavailabilityCodes.has(code);
}
