import { createHash } from 'node:crypto';
import type { ChangeEvent } from '@stowage/core/driver';

/**
 * The longest payload sent as it is: PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more,
 * and a key may be 8 KiB. A longer upsert message becomes a kind message.
 */
export const MAX_PAYLOAD_BYTES = 7_900;

/**
 * The channel a store announces its writes on: `stowage_` and 40 hex digits of the SHA-256 of
 * the table and the prefix. A channel is an identifier (63 bytes at most) and a prefix may hold
 * 512 bytes of any characters, so it is always hashed; the table is part of it because two
 * tables of one database are two stores.
 */
export function changeChannel(table: string, prefix: string): string {
  const digest = createHash('sha256').update(`${table}\u0000${prefix}`).digest('hex');
  return `stowage_${digest.slice(0, 40)}`;
}

/**
 * The payload of an upsert, the Redis driver's message format: compact JSON, one letter a field,
 * `{"t":"u","o":ORIGIN,"n":NAMESPACE,"k":KEY,"v":VERSION,"d":DELETED}`; over the size NOTIFY
 * carries, `{"t":"k","o":ORIGIN,"n":NAMESPACE}` (the reader refetches the kind).
 */
export function upsertPayload(
  origin: string,
  namespace: string,
  key: string,
  version: number,
  deleted: boolean,
): string {
  const full = JSON.stringify({ t: 'u', o: origin, n: namespace, k: key, v: version, d: deleted });
  if (Buffer.byteLength(full, 'utf8') <= MAX_PAYLOAD_BYTES) return full;
  return JSON.stringify({ t: 'k', o: origin, n: namespace });
}

/** The payload announcing that `init` replaced a kind: `{"t":"i","o":ORIGIN,"n":NAMESPACE}`. */
export function initPayload(origin: string, namespace: string): string {
  return JSON.stringify({ t: 'i', o: origin, n: namespace });
}

const RESET: ChangeEvent = { type: 'reset' };

/** The event a payload stands for; one that cannot be read is a `reset`. */
export function eventOf(payload: string, ownOrigin: string): ChangeEvent {
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
  if (t === 'u' && typeof k === 'string' && typeof d === 'boolean' && Number.isSafeInteger(v)) {
    return {
      type: 'upsert',
      kind: { namespace: n },
      key: k,
      version: v as number,
      deleted: d,
      own,
    };
  }
  return RESET;
}
