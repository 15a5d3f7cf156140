import type { RedisConnection } from '../connection/RedisConnection.js';
import { replyCode } from '../errors/toStowageError.js';
import type { WaitForReplicasOptions } from '../RedisDriverOptions.js';
import type { RedisClient } from '../topology/RedisTopology.js';
import type { CasOutcome } from './CasOutcome.js';
import { COMPARE_AND_SET_LUA, COMPARE_AND_SET_SHA, CORRUPT_REPLY } from './compareAndSetScript.js';

/** True when the server refuses the scripting commands themselves (not a key of the script). */
function refusesScripting(error: unknown): boolean {
  const message = (error as { message?: unknown } | undefined)?.message;
  if (typeof message !== 'string') return false;
  const code = replyCode(error);
  return (
    (code === 'NOPERM' && /'eval(sha)?'/i.test(message)) ||
    (code === 'ERR' && /unknown command .?eval/i.test(message))
  );
}

/** The reply of the script, and how many replicas confirmed it when WAIT was asked for. */
interface DurableReply {
  readonly reply: unknown;
  readonly replicas: number;
}

/**
 * The script and WAIT in one pipeline: both go out on the same connection, in that order (in a
 * cluster, to the primary of the key's slot). Sent one after the other instead, a reconnect in
 * between (a failover) would send WAIT to another server, which would confirm nothing real.
 */
async function evalDurably(
  client: RedisClient,
  args: ReadonlyArray<string>,
  wait: WaitForReplicasOptions,
  withBody: boolean,
): Promise<DurableReply> {
  const pipeline = client.pipeline();
  if (withBody) pipeline.eval(COMPARE_AND_SET_LUA, 1, ...args);
  else pipeline.evalsha(COMPARE_AND_SET_SHA, 1, ...args);
  const results = await pipeline.wait(wait.replicas, wait.timeoutMs).exec();
  const [written, waited] = results ?? [];
  if (written === undefined || waited === undefined) throw new Error('Command timed out');
  if (written[0] !== null) {
    if (!withBody && replyCode(written[0]) === 'NOSCRIPT') {
      return evalDurably(client, args, wait, true);
    }
    throw written[0];
  }
  if (waited[0] !== null) throw waited[0];
  return { reply: written[1], replicas: Number(waited[1]) };
}

async function evalCompareAndSet(
  client: RedisClient,
  args: ReadonlyArray<string>,
): Promise<unknown> {
  try {
    // EVALSHA first: the script body is sent only when the server does not have it yet (after a
    // restart or SCRIPT FLUSH), not with every write.
    return await client.evalsha(COMPARE_AND_SET_SHA, 1, ...args);
  } catch (error) {
    if (replyCode(error) !== 'NOSCRIPT') throw error;
    return await client.eval(COMPARE_AND_SET_LUA, 1, ...args);
  }
}

/**
 * Runs the compare-and-set script: one round trip, atomic on the server, so concurrent writers on
 * any number of processes can never make a lower version win.
 */
export function scriptUpsert(
  connection: RedisConnection,
  hashKey: string,
  key: string,
  stored: string,
  version: number,
  wait?: WaitForReplicasOptions,
): Promise<CasOutcome> {
  const args = [hashKey, key, stored, String(version)];
  return connection.run('upsert', 'write', async (client): Promise<CasOutcome> => {
    let reply: unknown;
    let replicas: number | undefined;
    try {
      if (wait === undefined) reply = await evalCompareAndSet(client, args);
      else ({ reply, replicas } = await evalDurably(client, args, wait, false));
    } catch (error) {
      if (replyCode(error) === CORRUPT_REPLY) return { status: 'corrupt' };
      if (refusesScripting(error)) return { status: 'scripts-unavailable', error };
      throw error;
    }
    if (typeof reply === 'string') return { status: 'rejected', current: reply };
    if (Buffer.isBuffer(reply)) return { status: 'rejected', current: reply.toString('utf8') };
    return replicas === undefined ? { status: 'applied' } : { status: 'applied', replicas };
  });
}
