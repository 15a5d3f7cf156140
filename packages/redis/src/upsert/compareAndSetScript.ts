import { createHash } from 'node:crypto';

/** The error reply the script gives for a stored value it cannot read a version from. */
export const CORRUPT_REPLY = 'STOWAGE_CORRUPT';

/**
 * The server-side compare-and-set of `upsert`. KEYS[1] is the kind's hash, ARGV the item key, the
 * string to store, its version, the store's change channel and the message announcing the write.
 *
 * - The new value is stored exactly as given (ARGV[2]): Lua's cjson re-encodes differently from
 *   JavaScript (key order, escaped `/`, `[]` as `{}`), so the script never encodes anything.
 * - Only `version` (and the type of `deleted`) is read from the old value, inside `pcall`: a value
 *   that is not JSON, has no valid version, or a non-boolean `deleted`, is an error reply, and is
 *   never overwritten (what cannot be compared cannot be replaced safely). The checks mirror core's
 *   `parseStoredString`, so the script and `get` agree on what is corrupt.
 * - When applied, the write is announced (SPUBLISH of ARGV[5], built by the client, on ARGV[4])
 *   before the HSET: a script is not rolled back, so a refused announcement (an ACL user without
 *   `+spublish &<channel>`) must fail the script before anything is written. Subscribers receive
 *   it only once the script is over, so the announcement never arrives before the write is there.
 * - Returns 1 when applied, or the stored string when its version is the same or higher.
 */
export const COMPARE_AND_SET_LUA = `
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old then
  local ok, decoded = pcall(cjson.decode, old)
  if not ok or type(decoded) ~= 'table' then
    return redis.error_reply('${CORRUPT_REPLY} stored value is not a JSON object')
  end
  local version = decoded['version']
  if type(version) ~= 'number' or version < 0 or version ~= math.floor(version)
    or version > 9007199254740991 then
    return redis.error_reply('${CORRUPT_REPLY} stored value has no valid version')
  end
  local deleted = decoded['deleted']
  if deleted ~= nil and deleted ~= cjson.null and type(deleted) ~= 'boolean' then
    return redis.error_reply('${CORRUPT_REPLY} stored value has a non-boolean deleted')
  end
  if version >= tonumber(ARGV[3]) then
    return old
  end
end
redis.call('SPUBLISH', ARGV[4], ARGV[5])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

/** SHA-1 of {@link COMPARE_AND_SET_LUA}, for EVALSHA. */
export const COMPARE_AND_SET_SHA = createHash('sha1').update(COMPARE_AND_SET_LUA).digest('hex');

/**
 * The line of the script's SPUBLISH, as Redis counts it (`@user_script:N` in the error of a
 * command the ACL user may not run): tells a refused announcement from a refused HGET or HSET.
 */
export const COMPARE_AND_SET_PUBLISH_LINE =
  COMPARE_AND_SET_LUA.split('\n').findIndex((line) => line.includes("'SPUBLISH'")) + 1;
