import { StoreErrorCode, StowageError } from '@stowage/core';
import { redactSecrets, redactText, socketFailureCode } from '@stowage/core/driver';

/**
 * Whether an operation could change data, so whether a command of it that was sent and went
 * unanswered may have been applied: decides "timeout" vs "outcome unknown".
 */
export type OperationEffect = 'read' | 'write';

/** What an error is being turned into a `StowageError` for. */
export interface ErrorContext {
  /** The store operation, e.g. `get`, shown in the message. */
  readonly operation: string;
  readonly effect: OperationEffect;
  /** Strings to scrub from the message and the cause chain. */
  readonly secrets: ReadonlyArray<string>;
}

// The client library's own failures are plain Errors told apart by their text; these are the
// ones whose meaning differs (sent or not sent). Callers of Stowage never see this matching.
/** ioredis's command timeout, and the driver's own (which uses the same text). */
export const TIMED_OUT = 'Command timed out';
/** Failures after the command was written: the server may have executed it. */
const AFTER_SEND = ['Command aborted due to connection close'];
const AFTER_SEND_NAMES = ['MaxRetriesPerRequestError', 'AbortError'];

// OpenSSL verification results as Node reports them (err.code), plus Node's own TLS codes.

/** Redis error replies that mean "the server cannot serve this right now". */
const UNAVAILABLE_REPLIES = new Set([
  'LOADING',
  'MASTERDOWN',
  'CLUSTERDOWN',
  'TRYAGAIN',
  'BUSY',
  // A write that reached a primary demoted by a failover: refused, not applied.
  'READONLY',
  // A cluster node that does not serve the slot (any more): refused, not applied. ioredis follows
  // these by itself except in a pipeline it cannot resend (the script + WAIT of waitForReplicas).
  'MOVED',
  'ASK',
]);

/**
 * A blocking command cut short by the server changing role ("UNBLOCKED force unblock from blocking
 * operation, instance state changed (master -> replica?)"): a write before it was applied.
 */
const UNBLOCKED = 'UNBLOCKED';

/** Cluster replies that mean "this slot is being moved right now: try again shortly". */
const MIGRATING_REPLIES = new Set(['ASK', 'TRYAGAIN']);

/**
 * `moved` when `error` (or its cause, or a command of its aborted transaction) is a MOVED reply,
 * `migrating` for ASK or TRYAGAIN; nothing was applied in either case.
 */
export function slotRedirection(error: unknown): 'moved' | 'migrating' | undefined {
  for (let cause = error, depth = 0; cause !== undefined && cause !== null && depth < 10; depth++) {
    const previous = (cause as ErrorFields).previousErrors;
    const replies = [cause, ...(Array.isArray(previous) ? previous : [])].map(replyCode);
    if (replies.includes('MOVED')) return 'moved';
    if (replies.some((reply) => reply !== undefined && MIGRATING_REPLIES.has(reply))) {
      return 'migrating';
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A MOVED or ASK reply: the node that serves the slot (for ASK: this one command) instead. */
export interface Redirection {
  readonly type: 'moved' | 'ask';
  /** `host:port` as the cluster announces it. */
  readonly address: string;
}

/** The MOVED or ASK reply `error` is, with the node it names; undefined for anything else. */
export function redirectionOf(error: unknown): Redirection | undefined {
  const reply = replyCode(error);
  if (reply !== 'MOVED' && reply !== 'ASK') return undefined;
  const address = String((error as ErrorFields).message).split(' ')[2];
  if (address === undefined || !address.includes(':')) return undefined;
  return { type: reply === 'MOVED' ? 'moved' : 'ask', address };
}

/** ioredis Cluster's own failures before a command reached a node: nothing was sent. */
const CLUSTER_NOT_SENT =
  /cluster isn't ready|none of startup nodes is available|failed to refresh slots cache|no primary known for slot|no connection to the primary/i;
/** ioredis Cluster gave up following a slot (its node down, failing over): it may have run. */
const CLUSTER_GAVE_UP = 'Too many Cluster redirections';

interface ErrorFields {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly previousErrors?: unknown;
}

/** The first word of a Redis error reply (`NOPERM`, `WRONGPASS`, ...), or undefined. */
export function replyCode(error: unknown): string | undefined {
  const { name, message } = (error ?? {}) as ErrorFields;
  if (name !== 'ReplyError' || typeof message !== 'string') return undefined;
  return /^([A-Z][A-Z_]+)\b/.exec(message)?.[1];
}

/** The stable code for a Redis reply error. */
function codeOfReply(error: unknown, reply: string, effect: OperationEffect): StoreErrorCode {
  if (reply === 'WRONGPASS' || reply === 'NOAUTH') return StoreErrorCode.Auth;
  if (reply === 'NOPERM') return StoreErrorCode.Permission;
  if (UNAVAILABLE_REPLIES.has(reply)) return StoreErrorCode.Connection;
  if (reply === UNBLOCKED) {
    return effect === 'read' ? StoreErrorCode.Connection : StoreErrorCode.OutcomeUnknown;
  }
  if (reply === 'EXECABORT') {
    // A command refused while queueing (e.g. a key outside the ACL pattern) aborts the whole
    // transaction; the reasons are the refusals collected in `previousErrors`.
    const previous = (error as ErrorFields).previousErrors;
    const reasons = Array.isArray(previous) ? previous.map(replyCode) : [];
    if (reasons.includes('NOPERM')) return StoreErrorCode.Permission;
    if (reasons.includes('NOAUTH')) return StoreErrorCode.Auth;
    if (reasons.some((reason) => reason !== undefined && UNAVAILABLE_REPLIES.has(reason))) {
      return StoreErrorCode.Connection;
    }
    return StoreErrorCode.Backend;
  }
  if (reply === 'ERR' && /invalid password|invalid username-password/i.test(String(error))) {
    return StoreErrorCode.Auth;
  }
  return StoreErrorCode.Backend;
}

/** The stable code for any failure of a Redis call, and whether the command may have run. */
export function classifyError(error: unknown, effect: OperationEffect): StoreErrorCode {
  if (StowageError.is(error)) return error.code;
  const fields = (error ?? {}) as ErrorFields;
  const message = typeof fields.message === 'string' ? fields.message : '';
  const reply = replyCode(error);
  if (reply !== undefined) return codeOfReply(error, reply, effect);
  if (message === TIMED_OUT) {
    return effect === 'read' ? StoreErrorCode.Timeout : StoreErrorCode.OutcomeUnknown;
  }
  if (CLUSTER_NOT_SENT.test(message)) return StoreErrorCode.Connection;
  if (message.startsWith(CLUSTER_GAVE_UP)) {
    return effect === 'read' ? StoreErrorCode.Connection : StoreErrorCode.OutcomeUnknown;
  }
  if (AFTER_SEND.includes(message) || AFTER_SEND_NAMES.includes(String(fields.name))) {
    return effect === 'read' ? StoreErrorCode.Connection : StoreErrorCode.OutcomeUnknown;
  }
  const socket = socketFailureCode(fields.code);
  if (socket !== undefined) return socket;
  // "Connection is closed.", "Stream isn't writeable ...": refused before anything was sent.
  if (/connection is closed|stream isn't writeable|not connected/i.test(message)) {
    return StoreErrorCode.Connection;
  }
  return StoreErrorCode.Backend;
}

const DESCRIPTIONS: Partial<Record<StoreErrorCode, string>> = {
  [StoreErrorCode.Timeout]: 'no answer within the command timeout',
  [StoreErrorCode.OutcomeUnknown]:
    'the write was sent but no answer came: it may or may not have been applied',
  [StoreErrorCode.Auth]: 'the server refused the credentials',
  [StoreErrorCode.Permission]: 'the ACL user lacks a right this operation needs',
  [StoreErrorCode.Tls]: 'the TLS handshake failed',
  [StoreErrorCode.Connection]: 'the server could not be reached',
};

/**
 * A `StowageError` for a failure of a Redis call, with a stable code, a message naming the
 * operation, and the original error as its cause, with every secret scrubbed from both (ioredis
 * attaches the command's arguments to its errors, so a failed HELLO or AUTH carries the password).
 */
export function toStowageError(
  error: unknown,
  context: ErrorContext,
  code: StoreErrorCode = classifyError(error, context.effect),
  hint?: string,
): StowageError {
  if (StowageError.is(error)) return error;
  const original =
    error instanceof Error ? redactText(error.message, context.secrets) : 'unknown failure';
  const description = DESCRIPTIONS[code];
  const parts = [description, hint, original].filter((part) => part !== undefined);
  return new StowageError(code, `Redis ${context.operation} failed: ${parts.join('; ')}`, {
    cause: redactedCause(error, context.secrets),
  });
}

/**
 * The error with every secret scrubbed, keeping (scrubbed as well) the replies of the commands
 * that aborted a transaction: they tell an EXECABORT caused by a moving cluster slot, which is
 * safe to retry, from one caused by a refused command.
 */
function redactedCause(error: unknown, secrets: ReadonlyArray<string>): unknown {
  const cause = redactSecrets(error, secrets);
  const previous = (error as ErrorFields | undefined)?.previousErrors;
  if (cause instanceof Error && Array.isArray(previous)) {
    Object.defineProperty(cause, 'previousErrors', {
      value: previous.map((reason: unknown) => redactSecrets(reason, secrets)),
      enumerable: true,
    });
  }
  return cause;
}
