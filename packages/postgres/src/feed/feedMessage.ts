import { createHash } from 'node:crypto';
import { kindMessage, upsertMessage } from '@stowage/core/driver';

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
 * The payload of an upsert, in the message format every driver shares (`upsertMessage` of
 * `@stowage/core/driver`); over the size NOTIFY carries, a kind message (the reader refetches
 * the kind).
 */
export function upsertPayload(
  origin: string,
  namespace: string,
  key: string,
  version: number,
  deleted: boolean,
): string {
  const full = upsertMessage(origin, namespace, key, version, deleted);
  if (Buffer.byteLength(full, 'utf8') <= MAX_PAYLOAD_BYTES) return full;
  return kindMessage(origin, namespace);
}
