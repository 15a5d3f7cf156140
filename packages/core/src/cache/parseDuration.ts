/**
 * A length of time as configuration gives it: milliseconds as a number, a string with a unit
 * (`"500ms"`, `"30s"`, `"5m"`, `"1h"`, or a bare number of milliseconds), or `'infinite'`.
 */
export type Duration = number | string;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;

/**
 * The milliseconds a {@link Duration} stands for, `Infinity` for `'infinite'`, or `undefined` when
 * it is not a duration (negative, not finite, or an unknown unit). Fractions of a millisecond are
 * rounded up, so that `"0.5ms"` does not silently mean "no cache".
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') {
    if (value === Number.POSITIVE_INFINITY) return value;
    return Number.isFinite(value) && value >= 0 ? Math.ceil(value) : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  if (text === 'infinite') return Number.POSITIVE_INFINITY;
  const match = DURATION_PATTERN.exec(text);
  if (match === null) return undefined;
  const amount = Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] ?? 1);
  return Number.isFinite(amount) ? Math.ceil(amount) : undefined;
}
