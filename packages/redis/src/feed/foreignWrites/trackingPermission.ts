import { StoreErrorCode, StowageError } from '@stowage/core';
import { redactSecrets } from '@stowage/core/driver';
import { INVALIDATE_CHANNEL } from './invalidationEvents.js';

/** The commands the tracker sends, each with the ACL rule that grants it. */
export const TRACKING_RULES = {
  clientId: '+client|id',
  subscribe: '+subscribe',
  channel: `&${INVALIDATE_CHANNEL}`,
  tracking: '+client|tracking',
  exists: '+exists',
  ping: '+ping',
} as const;

/** A step of setting tracking up, by the rule it needs. */
export type TrackingStep = keyof typeof TRACKING_RULES;

/** True when `error` is a Redis NOPERM reply. */
export function isNoPerm(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOPERM');
}

/**
 * The `permission` error of a step the ACL user may not take, naming the rule to add. A SUBSCRIBE
 * is refused either for the command or for the channel; the reply says which.
 */
export function trackingPermissionError(
  step: TrackingStep,
  cause: Error,
  secrets: ReadonlyArray<string>,
): StowageError {
  const rule =
    step === 'subscribe' && /channel/i.test(cause.message)
      ? TRACKING_RULES.channel
      : TRACKING_RULES[step];
  return new StowageError(
    StoreErrorCode.Permission,
    `Tracking foreign writes (trackForeignWrites) needs the ACL rule ${rule}: add it to the user (${cause.message})`,
    { cause: redactSecrets(cause, secrets) },
  );
}
