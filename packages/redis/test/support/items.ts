import type { DataKind, SerializedItemDescriptor } from '@stowage/core';

export const features: DataKind = { namespace: 'features' };
export const segments: DataKind = { namespace: 'segments' };

/** A live item whose body agrees with its descriptor. */
export function item(key: string, version: number, extra: object = {}): SerializedItemDescriptor {
  return { version, deleted: false, serializedItem: JSON.stringify({ key, version, ...extra }) };
}
