import { StoreErrorCode } from './StoreErrorCode.js';
import { StowageError } from './StowageError.js';

/** One problem found in options or configuration. */
export interface ConfigIssue {
  /** Where the problem is, e.g. `redis.tls.ca` or `STOWAGE_CACHE_TTL`. */
  readonly path: string;
  /** What is wrong, without the offending value when it could be a secret. */
  readonly message: string;
}

/**
 * Invalid options or configuration. Reports every problem at once, each with its path, so that a
 * deployment is fixed in one round trip.
 */
export class StowageConfigError extends StowageError {
  /** Every problem found, in the order the fields were checked. */
  readonly issues: ReadonlyArray<ConfigIssue>;

  constructor(context: string, issues: ReadonlyArray<ConfigIssue>) {
    const lines = issues.map((issue) => `  - ${issue.path || '(root)'}: ${issue.message}`);
    super(StoreErrorCode.Config, `${context}:\n${lines.join('\n')}`);
    this.issues = issues;
  }

  /** True when `value` is a configuration error from any installed copy of this package. */
  static override is(value: unknown): value is StowageConfigError {
    return (
      StowageError.is(value, StoreErrorCode.Config) &&
      Array.isArray((value as StowageConfigError).issues)
    );
  }
}

Object.defineProperty(StowageConfigError.prototype, 'name', {
  value: 'StowageConfigError',
  writable: true,
  configurable: true,
});
