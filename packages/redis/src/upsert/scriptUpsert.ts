import type { RedisConnection } from '../connection/RedisConnection.js';
import type { DurableWrites } from '../durability/DurableWrites.js';
import { redirectionOf, replyCode } from '../errors/toStowageError.js';
import type { RedisClient } from '../topology/RedisTopology.js';
import type { CasOutcome } from './CasOutcome.js';
import { COMPARE_AND_SET_LUA, COMPARE_AND_SET_SHA, CORRUPT_REPLY } from './compareAndSetScript.js';
import type { DedicatedConnectionPool } from './DedicatedConnectionPool.js';

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

/** The script's (non-error) reply as a CAS outcome. */
function outcomeOf(reply: unknown): CasOutcome {
  if (typeof reply === 'string') return { status: 'rejected', current: reply };
  if (Buffer.isBuffer(reply)) return { status: 'rejected', current: reply.toString('utf8') };
  return { status: 'applied' };
}

/** The outcome the script's error reply stands for, or undefined when it is a real failure. */
function errorOutcome(error: unknown): CasOutcome | undefined {
  if (replyCode(error) === CORRUPT_REPLY) return { status: 'corrupt' };
  if (refusesScripting(error)) return { status: 'scripts-unavailable', error };
  return undefined;
}

/**
 * One compare-and-set: the kind's hash, the item key, the string to store and its version, and
 * the store's change channel with the message that announces the write when it is applied.
 */
export interface CasWrite {
  readonly hashKey: string;
  readonly key: string;
  readonly stored: string;
  readonly version: number;
  readonly channel: string;
  readonly announcement: string;
}

/** KEYS[1] and ARGV of the script. */
const scriptArgs = ({ hashKey, key, stored, version, channel, announcement }: CasWrite) => [
  hashKey,
  key,
  stored,
  String(version),
  channel,
  announcement,
];

/**
 * Runs the compare-and-set script: one round trip, atomic on the server, so concurrent writers on
 * any number of processes can never make a lower version win.
 */
export function scriptUpsert(connection: RedisConnection, write: CasWrite): Promise<CasOutcome> {
  const args = scriptArgs(write);
  return connection.run('upsert', 'write', async (client): Promise<CasOutcome> => {
    try {
      return outcomeOf(await evalCompareAndSet(client, args));
    } catch (error) {
      const outcome = errorOutcome(error);
      if (outcome === undefined) throw error;
      return outcome;
    }
  });
}

/** The nodes a durable write can be sent to (in a cluster: the slot's primary, or a redirection). */
export interface DurableTargets {
  /** The dedicated connections to the node serving the store now, or to `address`. */
  pool(address?: string): Promise<DedicatedConnectionPool>;
}

/** Redirections and script loads one durable upsert follows before it gives up. */
const MAX_HOPS = 5;

type Reply = { readonly value: unknown } | { readonly error: unknown };

/**
 * The script and WAIT on a dedicated connection (see {@link DurableWrites}). In a cluster, MOVED
 * (the slot has a new owner) and ASK (the store's hash has already been moved to the node
 * importing the slot) are followed here, for the write and its WAIT together, on the node the
 * reply names: nothing was applied where the redirection came from.
 */
export async function durableScriptUpsert(
  durable: DurableWrites,
  targets: DurableTargets,
  write: CasWrite,
): Promise<CasOutcome> {
  const args = scriptArgs(write);
  let pool = await targets.pool();
  let asking = false;
  let withBody = false;
  for (let hop = 0; ; hop++) {
    const { reply, shortfall } = await durable.send<Reply>(
      pool,
      'upsert',
      (client) =>
        (withBody
          ? client.eval(COMPARE_AND_SET_LUA, 1, ...args)
          : client.evalsha(COMPARE_AND_SET_SHA, 1, ...args)
        ).then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        ),
      asking,
    );
    if ('value' in reply) {
      const outcome = outcomeOf(reply.value);
      return outcome.status === 'applied' ? { status: 'applied', shortfall } : outcome;
    }
    const { error } = reply;
    const outcome = errorOutcome(error);
    if (outcome !== undefined) return outcome;
    if (hop >= MAX_HOPS) throw error;
    if (replyCode(error) === 'NOSCRIPT' && !withBody) {
      withBody = true;
      continue;
    }
    const redirection = redirectionOf(error);
    if (redirection === undefined) throw error;
    // (A MOVED also refreshes the cluster client's slot map: see the cluster topology.)
    pool = await targets.pool(redirection.address);
    asking = redirection.type === 'ask';
  }
}
