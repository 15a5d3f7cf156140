/** CRC16/XMODEM table, as Redis Cluster hashes keys. */
const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let crc = i << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
  TABLE[i] = crc & 0xffff;
}

/**
 * The part of `key` Redis Cluster hashes, as Redis computes it: the content of the first `{` up to
 * the first `}` after it, when that content is non-empty; otherwise the whole key.
 */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  if (close < 0 || close === open + 1) return undefined;
  return key.slice(open + 1, close);
}

/** The cluster hash slot (0-16383) of `key`, like `CLUSTER KEYSLOT`. */
export function keySlot(key: string): number {
  const bytes = Buffer.from(hashTagOf(key) ?? key, 'utf8');
  let crc = 0;
  for (const byte of bytes)
    crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ byte) & 0xff] as number);
  return crc % 16384;
}

/**
 * The prefix a store uses in a cluster: `{P}` when `P` has no hash tag, so that every key of the
 * store (`{P}:KIND`, `{P}:$inited`) lies in one slot; a prefix with a tag is used as it is.
 */
export function clusterPrefix(prefix: string): string {
  return hashTagOf(prefix) === undefined ? `{${prefix}}` : prefix;
}
