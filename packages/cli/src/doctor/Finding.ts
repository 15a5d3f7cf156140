/** How a check came out. `unknown`: it could not be checked with the rights at hand. */
export type Status = 'ok' | 'warning' | 'error' | 'unknown';

/** One line of the doctor's report: what was checked, how it came out, and what to do. */
export interface Finding {
  readonly check: string;
  readonly status: Status;
  readonly detail: string;
  /** What to do about a warning, an error, or a check that could not run. */
  readonly fix?: string;
}

export const finding = (check: string, status: Status, detail: string, fix?: string): Finding =>
  fix === undefined ? { check, status, detail } : { check, status, detail, fix };
