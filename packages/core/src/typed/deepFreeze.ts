/**
 * A deeply read-only view of `T`: what the typed store hands out. Items come from the cache and
 * are shared by every caller, so they are frozen all the way down and typed to say so.
 */
export type Frozen<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends ReadonlyArray<infer U>
    ? ReadonlyArray<Frozen<U>>
    : T extends object
      ? { readonly [K in keyof T]: Frozen<T[K]> }
      : T;

/**
 * Freezes `value` and everything reachable from it, in place, and returns it. Meant for
 * freshly deserialized items (plain objects and arrays without cycles).
 */
export function deepFreeze<T>(value: T): Frozen<T> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    // Indexed loops: `for...in` and iterators cost more than the freezing itself on a miss.
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const element: unknown = value[i];
        if (typeof element === 'object' && element !== null) deepFreeze(element);
      }
    } else {
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      for (let i = 0; i < keys.length; i++) {
        const field = record[keys[i] as string];
        if (typeof field === 'object' && field !== null) deepFreeze(field);
      }
    }
  }
  return value as Frozen<T>;
}
