import type { StoreErrorCode } from './StoreErrorCode.js';

// A registry symbol, not a module-local one, so that an error thrown by one installed copy of
// @stowage/core is recognised by another copy (duplicate installs are common in monorepos).
const brand = Symbol.for('@stowage/core/StowageError');

/** Options of {@link StowageError}. */
export interface StowageErrorOptions {
  /** The original error, already stripped of secrets. */
  readonly cause?: unknown;
}

/**
 * The one error family of Stowage. Every failure of a store carries a stable {@link code}; the
 * original error, when there is one, is the `cause`. Messages and causes never contain secrets.
 */
export class StowageError extends Error {
  /** What went wrong, as a stable code to branch on. */
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: StowageErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }

  /**
   * True when `value` is a `StowageError` (from any installed copy of this package), optionally
   * with the given code. Prefer this to `instanceof`.
   */
  static is(value: unknown, code?: StoreErrorCode): value is StowageError {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as { [brand]?: unknown })[brand] === true &&
      (code === undefined || (value as StowageError).code === code)
    );
  }
}

Object.defineProperty(StowageError.prototype, brand, { value: true });
Object.defineProperty(StowageError.prototype, 'name', {
  value: 'StowageError',
  writable: true,
  configurable: true,
});
