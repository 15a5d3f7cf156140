import { prefixProblem, type UpsertReadWriteHook } from '@stowage/core/driver';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { ReplicaRule } from '../RedisDriverOptions.js';

// Schemas of single options. Each accepts the value or the string form environment variables
// arrive in, and reports a problem with the option's path without repeating the value (it may be
// a secret). Problems are reported as non-aborting issues, so that zod goes on to check the other
// options and the rules that combine them: every problem is reported at once.

/** The ranges the options and the URL forms accept. */
export const LIMITS = {
  port: { min: 1, max: 65_535 },
  db: { min: 0, max: 2 ** 31 - 1 },
  timeoutMs: { min: 1, max: 600_000 },
  maxUpsertAttempts: { min: 1, max: 1000 },
  replicas: { min: 1, max: 100 },
} as const;

type Range = { readonly min: number; readonly max: number };
/** A value read, or what is wrong with it. */
type Reading<T> = { readonly value: T } | string;

/** True for a plain object (not an array, not null, not a class instance such as a client). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A problem of one option, or of the option at `path` below it. */
export function problem(ctx: z.RefinementCtx, message: string, path: PropertyKey[] = []): void {
  ctx.addIssue({ code: 'custom', message, path, continue: true });
}

/** True for the value zod leaves where an option failed (so that rules can pass it by). */
export const failed = (value: unknown): boolean => value === z.NEVER;

/** An option read by `read`; an absent one is required (`.optional()` lets it be absent). */
const option = <T>(read: (value: unknown) => Reading<T>) =>
  z.unknown().transform((value, ctx): T => {
    const reading = value === undefined ? 'is required' : read(value);
    if (typeof reading !== 'string') return reading.value;
    problem(ctx, reading);
    return z.NEVER;
  });

function readInteger(value: unknown, range: Range): Reading<number> {
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d{1,15}\s*$/.test(value)
        ? Number(value)
        : Number.NaN;
  return Number.isSafeInteger(number) && number >= range.min && number <= range.max
    ? { value: number }
    : `must be an integer from ${range.min} to ${range.max}`;
}

function readFlag(value: unknown): Reading<boolean> {
  if (typeof value === 'boolean') return { value };
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (text === 'true' || text === '1') return { value: true };
  if (text === 'false' || text === '0') return { value: false };
  return 'must be true or false';
}

/** An integer in `range`, given as a number or as decimal digits. */
export const integer = (range: Range) => option((value) => readInteger(value, range));

/** A boolean, given as one or as `true`/`false`/`1`/`0`. */
export const flag = option(readFlag);

/** A non-empty string that passes `rule` (which returns what is wrong, if anything). */
const textWhere = (rule: (text: string) => string | undefined) =>
  option((value) =>
    typeof value !== 'string' || value.length === 0
      ? 'must be a non-empty string'
      : (rule(value) ?? { value }),
  );

/** A non-empty string. */
export const text = textWhere(() => undefined);

/** A host name or address; whitespace would be read as part of the name. */
export const hostName = textWhere((value) =>
  /\s/.test(value) ? 'must not contain whitespace' : undefined,
);

/** PEM text: a file name here is the usual mistake, and would fail only when connecting. */
const pem = textWhere((value) =>
  value.includes('-----BEGIN ')
    ? undefined
    : 'must be PEM text (-----BEGIN ...-----), not a file name',
);

/** One of `allowed`. */
export const oneOf = <T extends string>(allowed: ReadonlyArray<T>) =>
  option((value) =>
    (allowed as ReadonlyArray<unknown>).includes(value)
      ? { value: value as T }
      : `must be one of ${allowed.map((name) => `'${name}'`).join(', ')}`,
  );

/** The store's prefix, by core's rule for prefixes. */
export const prefix = option((value) => prefixProblem(value) ?? { value: value as string });

/** A function, such as the `watch` strategy's hook. */
export const hook = option((value) =>
  typeof value === 'function' ? { value: value as UpsertReadWriteHook } : 'must be a function',
);

/**
 * An ioredis client of the application's. Duck-typed, not `instanceof`: the application may have
 * its own copy of ioredis.
 */
export const client = option((value): Reading<Redis> => {
  const candidate = value as Partial<Redis> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.status !== 'string' ||
    typeof candidate.hget !== 'function' ||
    typeof candidate.duplicate !== 'function'
  ) {
    return 'must be an ioredis Redis client';
  }
  // ioredis would put its keyPrefix in front of every key: the layout would no longer be P:KIND.
  return (candidate.options as { keyPrefix?: unknown } | undefined)?.keyPrefix
    ? 'must not have a keyPrefix: use the prefix option instead'
    : { value: candidate as Redis };
});

/**
 * A plain object with the options of `shape`; any other key is reported with `unknownKey`.
 * (zod's strict objects report unknown keys as one aborting issue, which would hide the others.)
 */
export const record = <Shape extends z.ZodRawShape>(
  shape: Shape,
  what: string,
  unknownKey: (key: string) => string,
) =>
  option((value) => (isRecord(value) ? { value } : `must be ${what}`)).pipe(
    z.looseObject(shape).superRefine((value, ctx) => {
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(shape, key)) problem(ctx, unknownKey(key), [key]);
      }
    }),
  );

const address = record(
  { host: hostName, port: integer(LIMITS.port) },
  'an object { host, port }',
  () => 'is not host or port',
);

/** A non-empty list of `{ host, port }`: sentinels, or cluster nodes. */
export const addressList = option((value) =>
  Array.isArray(value) && value.length > 0
    ? { value: value as unknown[] }
    : 'must be a non-empty array of { host, port }',
).pipe(z.array(address));

/** Addresses cluster nodes announce (`host:port`), mapped to where the application reaches them. */
export const natMap = option((value) =>
  isRecord(value) ? { value } : "must be an object { 'host:port': { host, port } }",
)
  .pipe(z.record(z.string(), address))
  .superRefine((map, ctx) => {
    for (const announced of Object.keys(map)) {
      if (
        !/^[^\s:]+:\d{1,5}$/.test(announced) &&
        !/^\[?[0-9a-fA-F:.]+\]?:\d{1,5}$/.test(announced)
      ) {
        problem(ctx, "must be keyed by 'host:port'", [announced]);
      }
    }
  });

/** `replicas` (a count or `'attached'`) and `timeoutMs` of WAIT. */
export const waitForReplicas = record(
  {
    replicas: option((value): Reading<ReplicaRule> => {
      if (value === 'attached') return { value };
      const count = readInteger(value, LIMITS.replicas);
      return typeof count === 'string'
        ? `must be an integer from ${LIMITS.replicas.min} to ${LIMITS.replicas.max}, or 'attached'`
        : count;
    }),
    timeoutMs: integer(LIMITS.timeoutMs),
  },
  'an object { replicas, timeoutMs }',
  () => 'is not replicas or timeoutMs',
);

const TLS_SHAPE = {
  enabled: flag.optional(),
  ca: pem.optional(),
  cert: pem.optional(),
  key: pem.optional(),
  servername: text.optional(),
  rejectUnauthorized: flag.optional(),
};

/** The settings of a `tls` object. */
export const TLS_SETTINGS = Object.keys(TLS_SHAPE) as ReadonlyArray<keyof typeof TLS_SHAPE>;

const tlsSettings = record(
  TLS_SHAPE,
  'an object of TLS settings',
  () => 'is not an option of the TLS settings',
).superRefine((settings, ctx) => {
  if ((settings.cert === undefined) !== (settings.key === undefined)) {
    problem(ctx, 'cert and key must be given together', [
      settings.cert === undefined ? 'cert' : 'key',
    ]);
  }
  if (settings.enabled !== false) return;
  for (const name of TLS_SETTINGS) {
    if (name !== 'enabled' && settings[name] !== undefined) {
      problem(ctx, 'is given while TLS is turned off (tls.enabled is false)', [name]);
    }
  }
});

/** `true`/`false` (or their string forms), or an object of TLS settings. */
export const tls = option(
  (value): Reading<unknown> =>
    typeof value === 'boolean' || typeof value === 'string'
      ? readFlag(value)
      : isRecord(value)
        ? { value }
        : 'must be true, false or an object of TLS settings',
)
  // Only the object can fail in the union, so its problems are reported as they are.
  .pipe(z.union([z.boolean(), tlsSettings]));
