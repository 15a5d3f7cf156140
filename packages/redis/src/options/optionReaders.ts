import type { ConfigIssue } from '@stowage/core';

/**
 * Readers for one option each: they accept the value or its string form (environment variables
 * arrive as strings), record a problem with its path otherwise, and never echo the value (it may
 * be a secret).
 */
export class OptionReader {
  readonly issues: ConfigIssue[] = [];

  constructor(private readonly base: string) {}

  /** The full path of `name`, e.g. `tls.ca`. */
  path(name: string): string {
    return this.base === '' ? name : `${this.base}.${name}`;
  }

  problem(name: string, message: string): void {
    this.issues.push({ path: this.path(name), message });
  }

  /** A non-empty string, or undefined when absent. */
  string(name: string, value: unknown, options: { pem?: boolean } = {}): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.length === 0) {
      this.problem(name, 'must be a non-empty string');
      return undefined;
    }
    if (options.pem === true && !value.includes('-----BEGIN ')) {
      this.problem(name, 'must be PEM text (-----BEGIN ...-----), not a file name');
      return undefined;
    }
    return value;
  }

  /** An integer in [min, max], given as a number or as decimal digits. */
  integer(name: string, value: unknown, min: number, max: number): number | undefined {
    if (value === undefined) return undefined;
    const number =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^\s*\d{1,15}\s*$/.test(value)
          ? Number(value)
          : Number.NaN;
    if (!Number.isSafeInteger(number) || number < min || number > max) {
      this.problem(name, `must be an integer from ${min} to ${max}`);
      return undefined;
    }
    return number;
  }

  /** A boolean, given as one or as `true`/`false`/`1`/`0`. */
  boolean(name: string, value: unknown): boolean | undefined {
    if (value === undefined || typeof value === 'boolean') return value;
    if (typeof value === 'string') {
      const text = value.trim().toLowerCase();
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
    }
    this.problem(name, 'must be true or false');
    return undefined;
  }

  /** One of `allowed`. */
  oneOf<T extends string>(name: string, value: unknown, allowed: ReadonlyArray<T>): T | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'string' && (allowed as ReadonlyArray<string>).includes(value)) {
      return value as T;
    }
    this.problem(name, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
    return undefined;
  }

  /** Records every key of `record` that is not in `known`. */
  unknownKeys(record: Record<string, unknown>, known: ReadonlyArray<string>, what: string): void {
    for (const name of Object.keys(record)) {
      if (!known.includes(name)) this.problem(name, `is not an option of ${what}`);
    }
  }
}

/** True for a plain object (not an array, not null, not a class instance such as a client). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
