import type { ChangeEvent } from './ChangeFeed.js';

/**
 * The message a driver announces one write with, for drivers whose backend carries strings
 * (Redis Pub/Sub, PostgreSQL NOTIFY), so that every driver speaks the same format: compact JSON,
 * one letter per field, built by the writer (a server-side script passes it on as it is).
 *
 * - an upsert: `{"t":"u","o":ORIGIN,"n":NAMESPACE,"k":KEY,"v":VERSION,"d":DELETED}`
 * - an init, one per kind: `{"t":"i","o":ORIGIN,"n":NAMESPACE}`
 * - a kind changed in a way not told item by item (e.g. an upsert too big for the channel):
 *   `{"t":"k","o":ORIGIN,"n":NAMESPACE}`
 *
 * `o` is the writing store instance's origin token, so that its own feed marks the event `own`.
 * JSON escapes NUL and lone surrogates, so any key (any Unicode, NUL, 8 KiB) travels intact.
 */
type ChangeMessage =
  | {
      readonly t: 'u';
      readonly o: string;
      readonly n: string;
      readonly k: string;
      readonly v: number;
      readonly d: boolean;
    }
  | { readonly t: 'i' | 'k'; readonly o: string; readonly n: string };

/** The message announcing an upsert (see {@link readChangeMessage} for the format). */
export function upsertMessage(
  origin: string,
  namespace: string,
  key: string,
  version: number,
  deleted: boolean,
): string {
  const message: ChangeMessage = {
    t: 'u',
    o: origin,
    n: namespace,
    k: key,
    v: version,
    d: deleted,
  };
  return JSON.stringify(message);
}

/** The message announcing that `init` replaced a kind. */
export function initMessage(origin: string, namespace: string): string {
  const message: ChangeMessage = { t: 'i', o: origin, n: namespace };
  return JSON.stringify(message);
}

/** The message announcing that a kind changed in a way not told item by item. */
export function kindMessage(origin: string, namespace: string): string {
  const message: ChangeMessage = { t: 'k', o: origin, n: namespace };
  return JSON.stringify(message);
}

const RESET: ChangeEvent = Object.freeze({ type: 'reset' });

/**
 * The event a message stands for, seen by the store instance whose origin token is `ownOrigin`.
 * A message that cannot be read (another program on the channel, a format of a later version) is
 * a `reset`: something changed, and what cannot be told.
 */
export function readChangeMessage(payload: string, ownOrigin: string): ChangeEvent {
  let message: unknown;
  try {
    message = JSON.parse(payload);
  } catch {
    return RESET;
  }
  if (typeof message !== 'object' || message === null) return RESET;
  const { t, o, n, k, v, d } = message as Record<string, unknown>;
  if (typeof n !== 'string') return RESET;
  const own = o === ownOrigin;
  if (t === 'i') return { type: 'init', kind: { namespace: n }, own };
  if (t === 'k') return { type: 'kind', kind: { namespace: n } };
  if (
    t === 'u' &&
    typeof k === 'string' &&
    typeof d === 'boolean' &&
    typeof v === 'number' &&
    Number.isSafeInteger(v)
  ) {
    return { type: 'upsert', kind: { namespace: n }, key: k, version: v, deleted: d, own };
  }
  return RESET;
}
