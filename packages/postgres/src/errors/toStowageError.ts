import { StoreErrorCode, StowageError } from '@stowage/core';
import { redactSecrets, redactText, socketFailureCode } from '@stowage/core/driver';

/** Whether an operation could change data: decides "timeout" against "outcome unknown". */
export type OperationEffect = 'read' | 'write';

/** What an error is being turned into a `StowageError` for. */
export interface ErrorContext {
  /** The store operation, e.g. `get`, shown in the message. */
  readonly operation: string;
  readonly effect: OperationEffect;
  /** Strings to scrub from the message and the cause chain. */
  readonly secrets: ReadonlyArray<string>;
}

// SQLSTATE classes and codes (PostgreSQL's appendix A) whose meaning Stowage tells apart.
const AUTH_STATES = new Set(['28P01', '28000']);
const PERMISSION_STATES = new Set(['42501']);
/** The statement was cancelled by statement_timeout (or an operator). */
const CANCELLED = '57014';
/** Retried by the store a bounded number of times, then reported as `backend`. */
export const RETRYABLE_STATES = new Set(['40001', '40P01']);
/** The server shuts down, restarts or refuses connections for now. */
const UNAVAILABLE_STATES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

/** pg's own failures, told apart by their text (callers of Stowage never see this matching). */
const NOT_SENT_TEXTS = [
  'timeout exceeded when trying to connect',
  'Connection terminated due to connection timeout',
  'is not queryable',
];
const READ_TIMEOUT = 'Query read timeout';
const TERMINATED = 'Connection terminated';
const TLS_TEXTS = [
  'The server does not support SSL connections',
  'no encryption',
  // pg_hba's clientcert: the server asked for a client certificate (28000, told apart from a
  // refused password since the fix is a TLS setting: tls.cert and tls.key).
  'requires a valid client certificate',
];

/** The code an error of pg, of Node or of the server stands for. */
function codeOf(error: unknown, effect: OperationEffect): StoreErrorCode {
  if (StowageError.is(error)) return error.code;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  // A server that requires TLS refuses a plain connection in pg_hba terms ("no encryption").
  if (
    TLS_TEXTS.some((part) => text.includes(part)) ||
    socketFailureCode(code) === StoreErrorCode.Tls
  ) {
    return 'tls';
  }
  if (typeof code === 'string') {
    if (AUTH_STATES.has(code)) return 'auth';
    if (PERMISSION_STATES.has(code)) return 'permission';
    if (code === CANCELLED) return effect === 'write' ? 'outcome-unknown' : 'timeout';
    if (UNAVAILABLE_STATES.has(code) || socketFailureCode(code) === StoreErrorCode.Connection) {
      // A write cut off by a shutdown was sent: it may have committed.
      return effect === 'write' && code.startsWith('57P0') ? 'outcome-unknown' : 'connection';
    }
  }
  if (NOT_SENT_TEXTS.some((part) => text.includes(part))) return 'connection';
  if (text.includes(READ_TIMEOUT)) return effect === 'write' ? 'outcome-unknown' : 'timeout';
  if (text.startsWith(TERMINATED)) return effect === 'write' ? 'outcome-unknown' : 'connection';
  if (/certificate|SSL|TLS/i.test(text)) return 'tls';
  return 'backend';
}

const DESCRIPTIONS: Partial<Record<StoreErrorCode, string>> = {
  auth: 'the server refused the credentials',
  permission: 'the role lacks a right on the table (see the GRANTs in the README)',
  tls: 'the TLS connection failed (certificate not trusted, or TLS required or refused)',
  timeout: 'no answer within the command timeout',
  'outcome-unknown': 'the write was sent but its answer was lost: it may or may not have committed',
  connection: 'the server could not be reached',
  backend: 'the server answered with an error',
};

/** A typed, secret-free `StowageError` for any failure of an operation. */
export function toStowageError(error: unknown, context: ErrorContext): StowageError {
  if (StowageError.is(error)) return error;
  const code = codeOf(error, context.effect);
  const detail = error instanceof Error ? `: ${redactText(error.message, context.secrets)}` : '';
  return new StowageError(
    code,
    `PostgreSQL ${context.operation} failed, ${DESCRIPTIONS[code] ?? code}${detail}`,
    { cause: redactSecrets(error, context.secrets) },
  );
}

/** True for a serialization failure or a deadlock: the transaction may simply be run again. */
export function isRetryable(error: unknown): boolean {
  const { code } = (error ?? {}) as { code?: unknown };
  return typeof code === 'string' && RETRYABLE_STATES.has(code);
}
