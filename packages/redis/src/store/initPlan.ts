import type { FullDataSet, KeyedItem } from '@stowage/core';
import {
  forEachYielding,
  initMessage,
  toStoredString,
  validateFullDataSet,
  validateUpsert,
} from '@stowage/core/driver';
import { type Cluster, Command } from 'ioredis';
import { slotRedirection } from '../errors/toStowageError.js';
import type { RedisClient } from '../topology/RedisTopology.js';
import { EncodedCommand, HsetEncoder } from './EncodedCommand.js';
import type { RedisKeys } from './redisKeys.js';
import { type ExecReplies, sendTransaction } from './sendTransaction.js';
import { storeNode } from './storeNode.js';

/** Field/value pairs per HSET of `init`: big enough to be cheap, small enough not to stall Redis. */
const HSET_CHUNK_PAIRS = 1000;

/** One kind of an `init`: its hash and the HSETs that refill it, encoded. */
interface KindPlan {
  readonly namespace: string;
  readonly hashKey: string;
  readonly hsets: ReadonlyArray<Buffer>;
}

/** The commands of an `init`, ready to send: the data set's strings, taken when it was called. */
export type InitPlan = ReadonlyArray<KindPlan>;

/**
 * Checks `allData` and takes its stored strings, item by item in slices that give the event loop
 * a turn (a data set of 100,000 items must not hold up every other caller of the process). Every
 * item is checked exactly as `upsert` checks one, before anything is sent. What is checked and
 * sent is the data set as it was when `init` was called: the caller may change it meanwhile.
 */
export async function planInit(allData: unknown, keys: RedisKeys): Promise<InitPlan> {
  validateShape(allData);
  const taken = allData.map(({ kind, items }) => ({
    kind: { namespace: kind.namespace },
    items: items.map(copyItem),
  }));
  const plan: KindPlan[] = [];
  for (const { kind, items } of taken) {
    const hashKey = keys.kind(kind.namespace);
    const hsets: Buffer[] = [];
    const hset = new HsetEncoder(hashKey);
    await forEachYielding(items, (item) => {
      if (!Array.isArray(item)) validateFullDataSet([{ kind, items: [item] }]);
      const [key, descriptor] = item as KeyedItem;
      validateUpsert(kind, key, descriptor);
      hset.add(key, toStoredString(key, descriptor));
      if (hset.pairs === HSET_CHUNK_PAIRS) hsets.push(hset.take());
    });
    if (hset.pairs > 0) hsets.push(hset.take());
    plan.push({ namespace: kind.namespace, hashKey, hsets });
  }
  return plan;
}

/** An item as it is now: a pair, with its descriptor's fields read (anything else as it is). */
function copyItem(item: unknown): unknown {
  if (!Array.isArray(item)) return item;
  const [key, descriptor] = item as [unknown, unknown];
  if (typeof descriptor !== 'object' || descriptor === null) return [key, descriptor];
  const { version, deleted, serializedItem } = descriptor as Record<string, unknown>;
  return [key, { version, deleted, serializedItem }];
}

/**
 * The data set's outline (an array of kinds, each valid, each with an array of items), checked
 * by core's own rule without its items, which are checked one by one afterwards.
 */
function validateShape(allData: unknown): asserts allData is FullDataSet {
  validateFullDataSet(
    Array.isArray(allData)
      ? allData.map((entry: { kind?: unknown; items?: unknown } | undefined) => ({
          kind: entry?.kind,
          items: Array.isArray(entry?.items) ? [] : entry?.items,
        }))
      : allData,
  );
}

/** How an `init` is announced: on the store's change channel, with this instance's origin. */
export interface InitAnnouncement {
  readonly channel: string;
  readonly origin: string;
}

/**
 * The transaction of `init`: one MULTI/EXEC, so a reader never sees a half-replaced kind. An
 * empty kind keeps its DEL and skips HSET (Redis refuses an HSET without fields). Each kind is
 * announced inside it (one SPUBLISH per kind, first: a refused SPUBLISH aborts the transaction
 * with nothing applied). It goes to the node holding the store (`marker`'s, in a cluster); a
 * transaction sent again (a cluster redirection) gets new commands, since a command is used once.
 */
export function initTransaction(plan: InitPlan, marker: string, announce: InitAnnouncement) {
  const messages = plan.map(({ namespace }) => initMessage(announce.origin, namespace));
  return (client: RedisClient): Promise<ExecReplies> => {
    const commands: Command[] = messages.map(
      (message) => new Command('spublish', [announce.channel, message]),
    );
    for (const { hashKey, hsets } of plan) {
      commands.push(new Command('del', [hashKey]));
      for (const hset of hsets) commands.push(new EncodedCommand('hset', [hashKey], hset));
    }
    commands.push(new Command('set', [marker, '']));
    const sent = sendTransaction(storeNode(client, marker), commands);
    if (!(client as Cluster).isCluster) return sent;
    // Sent to the node itself, the transaction is not redirected by the cluster client, which
    // learns of a moved slot from the reply: the retry (see `retryRedirections`) goes to the new owner.
    return sent.catch((error: unknown) => {
      if (slotRedirection(error) === 'moved') (client as Cluster).refreshSlotsCache();
      throw error;
    });
  };
}
