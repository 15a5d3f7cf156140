/** One key's writes in flight and the newest version the change feed reported meanwhile. */
interface PendingKey {
  count: number;
  seen: number;
}

const NONE: ReadonlySet<string> = new Set<string>();

/**
 * The writes of one kind that this instance has sent and not yet seen answered, while the cache
 * follows a change feed. The feed's events and a write's answer travel on different connections,
 * so another instance's newer write can be announced before our older write is acknowledged:
 * what a write (or an init) learns here decides whether its answer may still be cached.
 */
export class WritesInFlight {
  private readonly keys = new Map<string, PendingKey>();
  private inits = 0;
  private evented: Set<string> | undefined = undefined;
  private kindChanged = false;

  /** An upsert of `key` was sent. */
  beginKey(key: string): void {
    const pending = this.keys.get(key);
    if (pending === undefined) this.keys.set(key, { count: 1, seen: -1 });
    else pending.count += 1;
  }

  /**
   * An upsert of `key` was answered (or failed): the newest version the feed reported for it
   * meanwhile, -1 for none. An answer older than that is already old.
   */
  endKey(key: string): number {
    const pending = this.keys.get(key);
    if (pending === undefined) return -1;
    pending.count -= 1;
    if (pending.count === 0) this.keys.delete(key);
    return pending.seen;
  }

  /** True while an upsert of `key` by this instance is in flight. */
  pending(key: string): boolean {
    return this.keys.has(key);
  }

  /** An init of the kind was sent. */
  beginInit(): void {
    if (this.inits === 0) {
      this.evented = new Set();
      this.kindChanged = false;
    }
    this.inits += 1;
  }

  /**
   * An init of the kind was answered: the keys the feed reported written meanwhile, or `'kind'`
   * when another init (or a change of the whole kind) was reported meanwhile, which may have
   * replaced this one's items.
   */
  endInit(): ReadonlySet<string> | 'kind' {
    const evented = this.kindChanged ? 'kind' : (this.evented ?? NONE);
    this.inits = Math.max(0, this.inits - 1);
    if (this.inits === 0) this.evented = undefined;
    return evented;
  }

  /** The feed reported the whole kind replaced or changed (not by this instance's own init). */
  sawKind(): void {
    if (this.inits > 0) this.kindChanged = true;
  }

  /** The feed reported `key` written at `version`. */
  saw(key: string, version: number): void {
    const pending = this.keys.get(key);
    if (pending !== undefined && version > pending.seen) pending.seen = version;
    this.evented?.add(key);
  }
}
