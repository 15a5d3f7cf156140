import type { DurabilityNotConfirmedError } from '../errors/durabilityNotConfirmed.js';

/** What one compare-and-set decided, whichever strategy ran it. */
export type CasOutcome =
  /** `shortfall`: the replicas `waitForReplicas` asked for did not all confirm the write. */
  | { readonly status: 'applied'; readonly shortfall?: DurabilityNotConfirmedError | undefined }
  /** The stored version is the same or higher; `current` is the stored string. */
  | { readonly status: 'rejected'; readonly current: string }
  /** The stored value has no readable version: nothing was written. */
  | { readonly status: 'corrupt' }
  /** The server refused scripting (ACL or disabled); `error` is its answer. */
  | { readonly status: 'scripts-unavailable'; readonly error: unknown };
