/**
 * The sharded Pub/Sub channel a store announces its writes on: `<effectivePrefix>:$changes`. It
 * carries the keys' hash tag (in a cluster the effective prefix is `{P}`), so the channel is in the
 * slot of every key of the store: SPUBLISH inside a script or a transaction on that slot's primary
 * is delivered on that shard, and a reshard moves the channel with the keys. (SPUBLISH from a
 * script to a channel of another slot would be accepted silently and reach nobody.)
 */
export function changeChannel(effectivePrefix: string): string {
  return `${effectivePrefix}:$changes`;
}

/** The ACL rule a writer needs to announce its writes on `channel`. */
export function publishRule(channel: string): string {
  return `+spublish &${channel}`;
}

/** The ACL rule a reader needs to follow the writes announced on `channel`. */
export function subscribeRule(channel: string): string {
  return `+ssubscribe &${channel}`;
}
