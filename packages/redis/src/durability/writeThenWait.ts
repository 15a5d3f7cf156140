import type { Redis } from 'ioredis';
import type { ReplicaCount } from './ReplicaCount.js';

const noop = () => {};

/** What a write followed by WAIT came back with. */
export interface WaitedWrite<T> {
  readonly reply: T;
  /** Replicas WAIT asked for. */
  readonly required: number;
  /** Replicas that confirmed, or why WAIT failed (the write itself was answered). */
  readonly confirmed: number | { readonly failure: unknown };
}

/** Where the write's own answer is put as soon as it arrives, before WAIT's. */
export interface WriteAnswer<T> {
  answer?: { readonly reply: T; readonly required: number };
}

/** `host:port` of the server `client` is connected to now (a Sentinel client moves). */
function connectedNode(client: Redis): string {
  const stream = client.stream as { remoteAddress?: string; remotePort?: number } | undefined;
  return `${stream?.remoteAddress ?? client.options.host}:${stream?.remotePort ?? client.options.port}`;
}

/**
 * Sends `write` and `WAIT` right after it, in the same tick on the same connection, so that both
 * reach the same server in one round trip (sent one after the other instead, a reconnect in
 * between, a failover, would send WAIT to another server, which would confirm nothing real). The
 * write's answer is put in `seen` the moment it arrives: when WAIT then goes unanswered, the
 * caller knows the write was applied. `asking` prefixes ASKING (a cluster slot being imported).
 * With the `attached` rule, ROLE goes along now and then to keep the replica count current.
 */
export async function writeThenWait<T>(
  client: Redis,
  count: ReplicaCount,
  timeoutMs: number,
  write: (client: Redis) => Promise<T>,
  seen: WriteAnswer<T>,
  asking = false,
): Promise<WaitedWrite<T>> {
  const node = connectedNode(client);
  if (count.needsRole(node)) count.observe(node, await client.role());
  const { replicas, refresh } = count.plan(node);
  const role = refresh ? client.role() : undefined;
  role?.catch(noop);
  if (asking) client.asking().catch(noop);
  const written = write(client);
  const waited = client.wait(replicas, timeoutMs);
  waited.catch(noop);
  const reply = await written;
  seen.answer = { reply, required: replicas };
  let confirmed: WaitedWrite<T>['confirmed'];
  try {
    confirmed = Number(await waited);
  } catch (failure) {
    confirmed = { failure };
  }
  if (role !== undefined) {
    await role.then((answer) => count.observe(node, answer), noop);
  }
  if (typeof confirmed !== 'number' || confirmed < replicas) count.shortfall(node);
  return { reply, required: replicas, confirmed };
}
