/** What one compare-and-set decided, whichever strategy ran it. */
export type CasOutcome =
  /** `replicas`: how many replicas confirmed the write, when WAIT was asked for. */
  | { readonly status: 'applied'; readonly replicas?: number }
  /** The stored version is the same or higher; `current` is the stored string. */
  | { readonly status: 'rejected'; readonly current: string }
  /** The stored value has no readable version: nothing was written. */
  | { readonly status: 'corrupt' }
  /** The server refused scripting (ACL or disabled); `error` is its answer. */
  | { readonly status: 'scripts-unavailable'; readonly error: unknown };
