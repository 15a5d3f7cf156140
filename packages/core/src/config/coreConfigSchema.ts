import { z } from 'zod';
import { parseDuration } from '../cache/parseDuration.js';
import { prefixProblem } from '../contract/validation.js';

const positiveInteger = (what: string) =>
  z.unknown().transform((value, ctx) => {
    const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof number === 'number' && Number.isSafeInteger(number) && number > 0) return number;
    ctx.addIssue({ code: 'custom', message: `must be a positive integer (${what})` });
    return z.NEVER;
  });

const fraction = z.unknown().transform((value, ctx) => {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number === 'number' && number >= 0 && number < 1) return number;
  ctx.addIssue({ code: 'custom', message: 'must be a fraction of the TTL from 0 to below 1' });
  return z.NEVER;
});

const flag = z.unknown().transform((value, ctx) => {
  if (typeof value === 'boolean') return value;
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  ctx.addIssue({ code: 'custom', message: 'must be true or false' });
  return z.NEVER;
});

const feedSetting = z.unknown().transform((value, ctx) => {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (text === 'on' || text === 'off') return text;
  ctx.addIssue({ code: 'custom', message: 'must be "on" or "off"' });
  return z.NEVER;
});

const duration = z.unknown().transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms !== undefined) return ms;
  ctx.addIssue({
    code: 'custom',
    message:
      'must be a non-negative duration: milliseconds, "500ms", "30s", "5m", "1h", or "infinite"',
  });
  return z.NEVER;
});

/**
 * The schema of core's part of the configuration, built for the drivers that can be selected: a
 * section per driver is allowed (each driver validates its own), any other key is an error.
 * Values may be strings (from the environment) wherever a number is expected.
 */
export function coreConfigSchema(driverNames: ReadonlyArray<string>) {
  const sections = Object.fromEntries(driverNames.map((name) => [name, z.unknown().optional()]));
  return z.strictObject({
    ...sections,
    driver: z.string().refine((name) => driverNames.includes(name), {
      message: `must be one of: ${driverNames.join(', ')}`,
    }),
    prefix: z.unknown().transform((value, ctx) => {
      const problem = prefixProblem(value);
      if (problem === undefined) return value as string;
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }),
    cache: z.strictObject({
      ttl: duration,
      maxEntries: positiveInteger('entries').optional(),
      refreshAhead: fraction.optional(),
    }),
    status: z.strictObject({
      pollIntervalMs: positiveInteger('milliseconds'),
    }),
    feed: feedSetting,
    readOnly: flag,
  });
}
