import { StoreErrorCode, type StowageError } from '@stowage/core';
import { type ErrorContext, replyCode, toStowageError } from '../errors/toStowageError.js';

/**
 * The steps of a connection's set-up that decide who the connection is or where its data goes.
 * ioredis sends them before anything else; when the server refuses SELECT or READONLY it only
 * emits an error and goes on, on database 0 or a read-write connection, so the driver fails every
 * operation on that connection instead (HELLO and AUTH end the connection in ioredis itself).
 *
 * Informational steps never fail the store: CLIENT SETINFO is not sent (`disableClientInfo`,
 * which Redis before 7.2 rejects on every connection), and CLIENT SETNAME is not used.
 */
const DECISIVE_STEPS = new Set(['hello', 'auth', 'select', 'readonly']);

/**
 * Steps ioredis goes on after when they are refused: the driver must stop the connection's use
 * itself. (A refused HELLO or AUTH ends the connection attempt in ioredis, and is reported by it.)
 */
const CARRIED_ON_AFTER = new Set(['SELECT', 'READONLY']);

/** True when `error` is a refusal of a step that ioredis carries on after (see above). */
export function isCarriedOnRefusal(error: unknown): boolean {
  const step = handshakeStep(error);
  return step !== undefined && CARRIED_ON_AFTER.has(step);
}

/** The handshake step (`SELECT`, `HELLO`, ...) whose refusal `error` is, or `undefined`. */
function handshakeStep(error: unknown): string | undefined {
  if (replyCode(error) === undefined) return undefined;
  const name = (error as { command?: { name?: unknown } }).command?.name;
  if (typeof name !== 'string' || !DECISIVE_STEPS.has(name.toLowerCase())) return undefined;
  return name.toUpperCase();
}

/** Why the server may refuse a step, for the message. */
function advice(step: string, code: StoreErrorCode): string {
  if (code === StoreErrorCode.Permission) {
    return `grant the connection's ACL user ${step} (e.g. +${step.toLowerCase()})`;
  }
  if (step === 'SELECT') {
    return 'the database number does not exist on this server: it has databases 0 to its "databases" setting minus 1 (a cluster has database 0 only)';
  }
  return 'check the connection options';
}

/**
 * The error every operation on a connection reports after the server refused a decisive step of
 * its set-up: `permission` for an ACL refusal, `auth` for credentials, `config` otherwise (a
 * database the server does not have). Nothing was sent on that connection.
 */
function handshakeRefusalError(error: unknown, step: string, context: ErrorContext): StowageError {
  const reply = replyCode(error);
  const code =
    reply === 'NOPERM'
      ? StoreErrorCode.Permission
      : reply === 'WRONGPASS' || reply === 'NOAUTH'
        ? StoreErrorCode.Auth
        : StoreErrorCode.Config;
  const hint = `the server refused ${step} while setting up the connection, so nothing was sent on it; ${advice(step, code)}`;
  return toStowageError(error, context, code, hint);
}

/**
 * The `StowageError` of a failed operation on a connection: a refusal of a decisive step of its
 * set-up says so ({@link handshakeRefusalError}); anything else is mapped by `toStowageError`,
 * with `code` and `hint` when the caller knows better than the error itself.
 */
export function toOperationError(
  error: unknown,
  context: ErrorContext,
  code?: StoreErrorCode,
  hint?: string,
): StowageError {
  const step = code === undefined ? handshakeStep(error) : undefined;
  if (step !== undefined) return handshakeRefusalError(error, step, context);
  return toStowageError(error, context, code, hint);
}
