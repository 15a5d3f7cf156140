/**
 * Stable codes for every failure the harness reports, so that callers branch on data and never on
 * message text.
 */
export const HarnessErrorCode = {
  /** A required executable (redis-server, redis-cli, openssl) is not installed. */
  BinaryMissing: 'BINARY_MISSING',
  /**
   * No container engine answers and none can be started here (dockerd missing, not root); the
   * message names what is missing.
   */
  EngineMissing: 'ENGINE_MISSING',
  /** A server process exited or never became ready; the message carries the tail of its log. */
  StartFailed: 'START_FAILED',
  /** A bounded wait ran out of time. */
  Timeout: 'TIMEOUT',
  /** No free, unlocked loopback ports were left in the configured range. */
  PortsExhausted: 'PORTS_EXHAUSTED',
  /** A server answered with an error reply; `replyCode` holds its first word (NOPERM, WRONGPASS...). */
  ReplyError: 'REPLY_ERROR',
  /** A connection to a server failed or was cut before the reply arrived. */
  ConnectionFailed: 'CONNECTION_FAILED',
  /** A helper process (redis-cli, openssl) exited with a failure status. */
  CommandFailed: 'COMMAND_FAILED',
  /** The options passed in cannot work (for example a port range outside 1024-65535). */
  InvalidOptions: 'INVALID_OPTIONS',
} as const;

/** One of the {@link HarnessErrorCode} values. */
export type HarnessErrorCode = (typeof HarnessErrorCode)[keyof typeof HarnessErrorCode];

// A registry symbol, not a class identity check: two copies of this package (a duplicate install, or
// vitest re-evaluating modules per test file) must still recognise each other's errors.
const brand = Symbol.for('@stowage/testing/HarnessError');

/** Options accepted by the {@link HarnessError} constructor. */
export interface HarnessErrorOptions {
  /** The underlying error, kept for debugging. */
  readonly cause?: unknown;
  /** For {@link HarnessErrorCode.ReplyError}: the first word of the server's error reply. */
  readonly replyCode?: string;
}

/** The single error type thrown by this package; see {@link HarnessErrorCode} for the cases. */
export class HarnessError extends Error {
  /** What went wrong, as a stable code. */
  readonly code: HarnessErrorCode;
  /** For reply errors, the first word of the reply (for example `NOPERM`); otherwise undefined. */
  readonly replyCode: string | undefined;

  /** Creates an error with a stable code; prefer the codes over matching `message`. */
  constructor(code: HarnessErrorCode, message: string, options: HarnessErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HarnessError';
    this.code = code;
    this.replyCode = options.replyCode;
    Object.defineProperty(this, brand, { value: true });
  }

  /** True for any HarnessError, including one created by another copy of this package. */
  static is(value: unknown): value is HarnessError {
    return typeof value === 'object' && value !== null && brand in value;
  }
}
