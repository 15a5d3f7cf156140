import {
  type DataKind,
  type SerializedItemDescriptor,
  StowageSerializationError,
} from '@stowage/core';
import { forEachYielding, parseStoredString } from '@stowage/core/driver';

/**
 * The descriptors of every field of a kind's hash, read from an HGETALL reply: the flat array of
 * fields and values Redis sent (as Buffers or strings), or the object ioredis makes of it for the
 * command's usual spelling. Every value is read as `get` reads one, in slices that give the event loop a turn: a
 * kind of 100,000 items takes far longer than another caller of the process should wait.
 * Unreadable values are reported together, with the readable rest.
 */
export async function descriptorsOf(
  kind: DataKind,
  reply: unknown,
): Promise<Map<string, SerializedItemDescriptor>> {
  const result = new Map<string, SerializedItemDescriptor>();
  const corrupt: string[] = [];
  const take = (key: string, value: string) => {
    const descriptor = parseStoredString(value);
    if (descriptor !== undefined) result.set(key, descriptor);
    else corrupt.push(key);
  };
  if (Array.isArray(reply)) {
    // Fields and values alternate; one pass over the array, without a pair per item.
    let field: string | undefined;
    await forEachYielding(reply as Array<Buffer | string>, (element) => {
      const text = typeof element === 'string' ? element : element.toString();
      if (field === undefined) {
        field = text;
      } else {
        take(field, text);
        field = undefined;
      }
    });
  } else {
    const hash = reply as Record<string, string>;
    await forEachYielding(Object.keys(hash), (key) => take(key, hash[key] as string));
  }
  if (corrupt.length > 0) throw new StowageSerializationError(kind.namespace, corrupt, result);
  return result;
}
