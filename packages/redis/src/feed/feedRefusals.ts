import { StoreErrorCode, StowageError } from '@stowage/core';
import { replyCode } from '../errors/toStowageError.js';
import { COMPARE_AND_SET_PUBLISH_LINE } from '../upsert/compareAndSetScript.js';
import { publishRule, subscribeRule } from './changeChannel.js';

/** The messages of an error, its causes and the refusals of an aborted transaction. */
function messagesOf(error: unknown): string[] {
  const messages: string[] = [];
  for (let current = error; current instanceof Error && messages.length < 10; ) {
    messages.push(current.message);
    const previous = (current as { previousErrors?: unknown }).previousErrors;
    if (Array.isArray(previous)) {
      for (const reason of previous) {
        if (reason instanceof Error) messages.push(reason.message);
      }
    }
    current = current.cause;
  }
  return messages;
}

/**
 * A refusal inside the compare-and-set script, as Redis 7.0 words it (an `ERR`, naming the line of
 * the script, not the command): of the channel, or of the command on the SPUBLISH line.
 */
const SCRIPT_CHANNEL_REFUSAL = /can't publish to the channel/i;
const SCRIPT_COMMAND_REFUSAL = new RegExp(
  `can't run this command.*@user_script:${COMPARE_AND_SET_PUBLISH_LINE}\\b`,
  'i',
);

/** True when a Redis refusal is about SPUBLISH or a channel (not a key or another command). */
function refusesPublishing(error: unknown): boolean {
  return messagesOf(error).some(
    (message) =>
      (/NOPERM/.test(message) && /'spublish'|channel/i.test(message)) ||
      SCRIPT_CHANNEL_REFUSAL.test(message) ||
      SCRIPT_COMMAND_REFUSAL.test(message),
  );
}

/**
 * A write refused because the ACL user may not announce it on the change channel, as a
 * `permission` error naming the rule to add; any other error as it is. Nothing was written: the
 * announcement comes first in the script and is checked while the transaction is queued.
 */
export function withPublishRule(error: unknown, operation: string, channel: string): unknown {
  if (!StowageError.is(error) || !refusesPublishing(error)) return error;
  return new StowageError(
    StoreErrorCode.Permission,
    `Redis ${operation} failed: the ACL user may not announce writes on the change channel "${channel}"; add "${publishRule(channel)}" to its rule (ACL SETUSER <user> ${publishRule(channel)}); nothing was written`,
    { cause: error },
  );
}

/**
 * The error the feed fails with when the server refuses SSUBSCRIBE for good (a missing ACL
 * permission, or a server without sharded Pub/Sub), or undefined for a failure a reconnection may
 * mend (the connection dropped, the slot moved).
 */
export function subscribeRefusal(error: unknown, channel: string): StowageError | undefined {
  const code = replyCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'NOPERM') {
    return new StowageError(
      StoreErrorCode.Permission,
      `Redis change feed failed: the ACL user may not follow the change channel "${channel}"; add "${subscribeRule(channel)}" to its rule (ACL SETUSER <user> ${subscribeRule(channel)}) (${message})`,
      { cause: error },
    );
  }
  if (code === 'ERR' && /unknown command/i.test(message)) {
    return new StowageError(
      StoreErrorCode.Backend,
      `Redis change feed failed: the server has no sharded Pub/Sub (SSUBSCRIBE, Redis 7.0 or later) (${message})`,
      { cause: error },
    );
  }
  return undefined;
}
