/** Number of hash slots in a Redis Cluster. */
const clusterSlotCount = 16_384;

// CRC16-CCITT (XModem), the variant Redis Cluster uses: polynomial 0x1021, initial value 0.
const table = Array.from({ length: 256 }, (_, byte) => {
  let crc = byte << 8;
  for (let bit = 0; bit < 8; bit += 1) {
    crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
});

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ table[((crc >> 8) ^ byte) & 0xff]!;
  return crc;
}

/**
 * The cluster hash slot of a key, computed like Redis does (`CLUSTER KEYSLOT`): CRC16 of the UTF-8
 * bytes modulo 16384, or of the hash tag only when the key holds `{...}` with something between the
 * first `{` and the next `}`. Lets a test put keys on a chosen slot without asking a server.
 *
 * Not ioredis's `cluster-key-slot`: for a key whose first braces are empty and that holds a later
 * tag (`{}{x}`, `a{}b{c}`) it hashes part of the key where Redis hashes all of it, and a harness
 * must agree with the server on any key (the cluster test checks both against CLUSTER KEYSLOT).
 */
export function keySlot(key: string | Uint8Array): number {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  const open = bytes.indexOf(0x7b);
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) return crc16(bytes.subarray(open + 1, close)) % clusterSlotCount;
  }
  return crc16(bytes) % clusterSlotCount;
}
