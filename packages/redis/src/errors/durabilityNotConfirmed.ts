import { StoreErrorCode, StowageError } from '@stowage/core';

/**
 * A write that the primary applied but whose `WAIT` confirmed fewer replicas than required (or
 * did not answer: the primary was demoted, frozen or cut off after replying to the write). Code
 * `durability-not-confirmed`; `confirmed` and `required` say how far it got.
 */
export class DurabilityNotConfirmedError extends StowageError {
  constructor(
    operation: string,
    /** Replicas that confirmed the write (0 when WAIT itself failed or went unanswered). */
    readonly confirmed: number,
    /** Replicas the write waited for. */
    readonly required: number,
    timeoutMs: number,
    cause?: unknown,
  ) {
    const why =
      cause === undefined
        ? `only ${confirmed} of ${required} replicas confirmed it within ${timeoutMs} ms`
        : `its WAIT for ${required} replicas failed (${(cause as Error)?.message ?? 'no answer'})`;
    super(
      StoreErrorCode.DurabilityNotConfirmed,
      `Redis ${operation} WAS applied on the primary, but ${why}: a failover may still lose it`,
      cause === undefined ? undefined : { cause },
    );
  }
}
