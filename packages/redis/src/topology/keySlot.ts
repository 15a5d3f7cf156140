import calculateSlot from 'cluster-key-slot';

/**
 * The part of `key` Redis Cluster hashes, as Redis computes it: the content of the first `{` up to
 * the first `}` after it, when that content is non-empty; otherwise the whole key.
 */
function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  if (close < 0 || close === open + 1) return undefined;
  return key.slice(open + 1, close);
}

/**
 * The cluster hash slot (0-16383) of one of the store's keys: ioredis's own function, so the driver
 * and the client route alike. It matches `CLUSTER KEYSLOT` for every key the driver makes, whose
 * first braces always hold a non-empty tag (see {@link clusterPrefix}); it does not for keys whose
 * first braces are empty and that hold a later tag (`{}{x}`).
 */
export function keySlot(key: string): number {
  return calculateSlot(key);
}

/**
 * The prefix a store uses in a cluster: `{P}` when `P` has no hash tag, so that every key of the
 * store (`{P}:KIND`, `{P}:$inited`) lies in one slot; a prefix with a tag is used as it is.
 */
export function clusterPrefix(prefix: string): string {
  return hashTagOf(prefix) === undefined ? `{${prefix}}` : prefix;
}
