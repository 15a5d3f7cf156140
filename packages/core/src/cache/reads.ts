import type { SerializedItemDescriptor } from '../contract/SerializedItemDescriptor.js';
import { NOT_FOUND, type NotFound } from './CacheEntry.js';
import type { KeptForm } from './KeptForm.js';

/**
 * A `get` in flight, shared by every caller that misses the same key meanwhile (one backend call
 * for concurrent misses). A write of this instance to the key marks it stale and detaches it:
 * its older answer is not cached, and later callers start a read of their own.
 */
export class ItemRead {
  /** Settles when the answer is in (and cached, when it may be). */
  promise!: Promise<void>;
  stale = false;
  /** The backend's answer, once in. Never handed out: callers get copies. */
  descriptor: SerializedItemDescriptor | undefined = undefined;
  // The answer converted for the last form asked: a kind's form can change while a read is in
  // flight (on the kind's first typed use), and each form is converted once.
  private keptForm: KeptForm<unknown> | undefined = undefined;
  private kept: unknown = undefined;

  constructor(
    /** The kind's epoch when the read started: an init since then makes its answer stale. */
    readonly epoch: number,
  ) {}

  /** The answer as `form` keeps it. */
  keptIn<V>(form: KeptForm<V>, key: string): V | NotFound {
    const descriptor = this.descriptor;
    if (descriptor === undefined) return NOT_FOUND;
    if (this.keptForm !== form) {
      // The answer is the read's own: raw callers get copies of it.
      this.kept = form.fromAnswer(key, descriptor);
      this.keptForm = form;
    }
    // Made by `form` just above or on an earlier call with the same form.
    return this.kept as V;
  }
}

const NOTHING_YET: ReadonlyMap<string, never> = new Map<string, never>();

/** A `getAll` in flight, shared by every caller of the kind meanwhile; stale as {@link ItemRead}. */
export class KindRead {
  /** Settles when the answer is in and converted (and cached, when it may be). */
  promise!: Promise<void>;
  stale = false;
  /** The backend's answer, once in. */
  descriptors: ReadonlyMap<string, SerializedItemDescriptor> = NOTHING_YET;
  /** The answer in {@link valuesForm}, with this instance's writes not yet written back. */
  values: ReadonlyMap<string, unknown> = NOTHING_YET;
  valuesForm: KeptForm<unknown> | undefined = undefined;

  constructor(readonly epoch: number) {}
}
