/**
 * The shape every item of a typed kind has: a key, a version, and (for tombstones) a deleted flag.
 * The key and version live inside the item because other readers of the stored schema read them
 * from the serialized body.
 */
export interface VersionedItem {
  readonly key: string;
  readonly version: number;
  readonly deleted?: boolean;
}
