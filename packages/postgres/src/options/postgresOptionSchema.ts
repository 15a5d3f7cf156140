import { type ConfigIssue, StowageConfigError } from '@stowage/core';
import { type DriverOptionsResult, prefixProblem } from '@stowage/core/driver';
import { z } from 'zod';
import type { PostgresDriverOptions } from '../PostgresDriverOptions.js';

// Environment variables arrive as strings: numbers and booleans accept their string forms.
const integer = (min: number, max: number) =>
  z.preprocess(
    (value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
    z.number({ error: 'must be an integer' }).int('must be an integer').min(min).max(max),
  );
const flag = z.preprocess(
  (value) => (value === 'true' ? true : value === 'false' ? false : value),
  z.boolean({ error: 'must be true or false' }),
);
const text = z.string({ error: 'must be a string' }).min(1, 'must not be empty');
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const table = text.refine(
  (value) =>
    value.split('.').length <= 2 && value.split('.').every((part) => IDENTIFIER.test(part)),
  'must be `table` or `schema.table`, each a plain identifier ([A-Za-z_][A-Za-z0-9_]*, 63 at most)',
);
/** The `sslmode` values the driver follows, and what each means here. */
export const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;

/**
 * What is wrong with a connection URL, or undefined. Messages name parameters, never values
 * (the URL may carry a password), except `sslmode`'s, which is one of a known few.
 */
export function urlProblem(value: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return 'must be a postgres:// or postgresql:// URL';
  }
  if (!['postgres:', 'postgresql:'].includes(parsed.protocol)) {
    return 'must be a postgres:// or postgresql:// URL';
  }
  for (const part of [parsed.username, parsed.password, parsed.pathname]) {
    try {
      decodeURIComponent(part);
    } catch {
      return 'has a malformed percent-encoding in its user, password or database';
    }
  }
  const others = [...parsed.searchParams.keys()].filter((name) => name !== 'sslmode');
  if (others.length > 0) {
    return `has parameters the driver does not read (${[...new Set(others)].join(', ')}): only sslmode is read from the URL; give the rest as options (tls.ca, connectTimeoutMs...)`;
  }
  const mode = parsed.searchParams.get('sslmode');
  if (mode === 'prefer' || mode === 'allow') {
    return `sslmode=${mode} falls back to a plain connection when TLS fails, which the driver never does silently: use sslmode=verify-full (or require) for TLS, or sslmode=disable`;
  }
  if (mode !== null && !(SSL_MODES as ReadonlyArray<string>).includes(mode)) {
    return `has an sslmode the driver does not know: use one of ${SSL_MODES.join(', ')}`;
  }
  return undefined;
}

const url = text.superRefine((value, ctx) => {
  const problem = urlProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});
const prefix = z.string().superRefine((value, ctx) => {
  const problem = prefixProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const tls = z.strictObject({
  enabled: flag.optional(),
  ca: text.optional(),
  cert: text.optional(),
  key: text.optional(),
  servername: text.optional(),
  rejectUnauthorized: flag.optional(),
});

/** The schema of the driver's options (string forms of numbers and booleans accepted). */
export const postgresOptionSchema = z.strictObject({
  url: url.optional(),
  host: text.optional(),
  port: integer(1, 65_535).optional(),
  database: text.optional(),
  user: text.optional(),
  password: text.optional(),
  tls: tls.optional(),
  prefix: prefix.optional(),
  table: table.optional(),
  createTables: flag.optional(),
  poolSize: integer(1, 1_000).optional(),
  connectTimeoutMs: integer(1, 600_000).optional(),
  commandTimeoutMs: integer(1, 600_000).optional(),
  maxAttempts: integer(1, 100).optional(),
  pool: z
    .custom<NonNullable<PostgresDriverOptions['pool']>>(
      (value) => typeof value === 'object' && value !== null && 'connect' in value,
      'must be a pg Pool',
    )
    .optional(),
});

/**
 * Checks options of the PostgreSQL driver completely and reports every problem at once, each with
 * its path. Never repeats a value in a message (it could be a password or a URL carrying one).
 */
export function validatePostgresOptions(
  input: unknown,
): DriverOptionsResult<PostgresDriverOptions> {
  const section = input === undefined ? {} : input;
  const given =
    typeof section === 'object' && section !== null
      ? Object.fromEntries(Object.entries(section).filter(([, value]) => value !== undefined))
      : section;
  const result = postgresOptionSchema.safeParse(given);
  if (result.success) return { ok: true, options: result.data as PostgresDriverOptions };
  const issues: ConfigIssue[] = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message:
      issue.code === 'invalid_type' && issue.path.length === 0
        ? 'must be an object of options'
        : issue.message,
  }));
  return { ok: false, issues };
}

/** Validates the options, or throws one `StowageConfigError` listing every problem. */
export function parsePostgresOptions(input: unknown): PostgresDriverOptions {
  const result = validatePostgresOptions(input);
  if (!result.ok) throw new StowageConfigError('Invalid PostgreSQL driver options', result.issues);
  return result.options;
}
