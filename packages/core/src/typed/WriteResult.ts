import type { Frozen } from './deepFreeze.js';

/** What a typed store holds for a key: a live item or a tombstone. */
export type StoredState<T> =
  | { readonly deleted: false; readonly version: number; readonly item: Frozen<T> }
  | { readonly deleted: true; readonly version: number };

/** What a typed `upsert` or `delete` did. */
export interface WriteResult<T> {
  /** True when the write was stored (the stored version was lower, or there was none). */
  readonly applied: boolean;
  /**
   * When the write was rejected: what is stored now, at the same or a higher version. Absent
   * when the write was applied.
   */
  readonly current?: StoredState<T>;
}
