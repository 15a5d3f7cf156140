/** True for `{}`-style objects: the only values merged field by field. */
export const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/**
 * Merges configuration layers, later ones winning, field by field through plain objects. Other
 * values (strings, arrays, a client or backend object) are taken whole; `undefined` means "not
 * given" and never overrides.
 */
export function mergeConfig(...layers: ReadonlyArray<unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!isPlainObject(layer)) continue;
    for (const [name, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      const existing = result[name];
      result[name] =
        isPlainObject(value) && isPlainObject(existing) ? mergeConfig(existing, value) : value;
    }
  }
  return result;
}
