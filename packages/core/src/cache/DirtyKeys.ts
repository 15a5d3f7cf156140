/**
 * The keys whose cached value the backend does not have yet: writes an infinite-TTL cache took
 * while the backend was down, to be written back on recovery.
 */
export class DirtyKeys {
  private readonly byKind = new Map<string, Set<string>>();

  /** How many keys wait for the write-back. */
  get size(): number {
    let count = 0;
    for (const keys of this.byKind.values()) count += keys.size;
    return count;
  }

  has(namespace: string, key: string): boolean {
    return this.byKind.get(namespace)?.has(key) === true;
  }

  add(namespace: string, key: string): void {
    let keys = this.byKind.get(namespace);
    if (keys === undefined) {
      keys = new Set();
      this.byKind.set(namespace, keys);
    }
    keys.add(key);
  }

  delete(namespace: string, key: string): void {
    this.byKind.get(namespace)?.delete(key);
  }

  /** The dirty keys of a kind. */
  of(namespace: string): ReadonlySet<string> {
    return this.byKind.get(namespace) ?? new Set();
  }

  deleteKind(namespace: string): void {
    this.byKind.delete(namespace);
  }

  clear(): void {
    this.byKind.clear();
  }
}
