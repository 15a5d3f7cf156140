import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster } from 'ioredis';
import { exponentialDelay } from '../connection/retryPolicy.js';
import { keySlot } from '../topology/keySlot.js';
import type { ChannelSubscription, SubscriptionEvents } from './ChannelSubscription.js';
import { subscribeRefusal } from './feedRefusals.js';

const noop = () => {};
/**
 * Longest wait for one SSUBSCRIBE: ioredis queues it on a subscriber that is still connecting, and
 * one that never connects must not hold the confirmation up; it is then sent again.
 */
const CONFIRM_BOUND_MS = 5000;
/** Pauses between two confirmations that failed (the slot's owner is still being found). */
const RETRY_DELAY_MS = exponentialDelay(50, 1000);

/**
 * The change channel followed in a cluster by an ioredis `Cluster` of the feed's own with
 * `shardedSubscribers: true`: its subscriber for the channel's slot lives on that slot's primary.
 *
 * ioredis re-subscribes by itself when the subscriber's node fails or the slot moves (a reshard,
 * a failover), on the new owner, and signals it only by `subscribersReady`: whatever was published
 * in between is lost without a word. So every `subscribersReady` after the first, every
 * `nodeError` and lost node (`-node`) of the channel's slot owner, and a lost cluster connection
 * (`close`) make the feed not live, and SSUBSCRIBE is sent again (retried with a short backoff
 * until the slot's owner answers): its confirmation makes the feed live again, with a `reset`.
 */
export function clusterSubscription(
  cluster: Cluster,
  channel: string,
  events: SubscriptionEvents,
): ChannelSubscription {
  let closed = false;
  let confirming = false;
  let again = false;
  let readySeen = false;
  const stop = new AbortController();

  const confirm = async () => {
    if (confirming) {
      again = true;
      return;
    }
    confirming = true;
    try {
      for (let attempt = 1; !closed; attempt++) {
        again = false;
        try {
          if (cluster.status === 'wait') await cluster.connect();
          await bounded(cluster.ssubscribe(channel), CONFIRM_BOUND_MS);
          forgetRepeats(cluster);
          // Something failed meanwhile: confirm on what the cluster client knows now.
          if (again) continue;
          if (!closed) events.subscribed();
          return;
        } catch (error) {
          if (closed) return;
          const refusal = subscribeRefusal(error, channel);
          if (refusal !== undefined) {
            events.failed(refusal);
            return;
          }
          await sleep(RETRY_DELAY_MS(attempt), undefined, { signal: stop.signal }).catch(noop);
        }
      }
    } finally {
      confirming = false;
    }
  };
  const suspect = () => {
    if (closed) return;
    events.lost();
    void confirm();
  };
  cluster.on('subscribersReady', () => {
    if (readySeen) suspect();
    readySeen = true;
  });
  // Only the channel's node matters: a failed node of another shard must not flap the feed.
  const slot = keySlot(channel);
  const onChannelNode = (_: unknown, node: unknown) => {
    const owner = cluster.slots[slot]?.[0];
    if (owner === undefined || owner === node) suspect();
  };
  cluster.on('nodeError', onChannelNode);
  cluster.on('-node', (redis: unknown, node: unknown) => onChannelNode(redis, node));
  cluster.on('close', suspect);
  // Failed subscriber connections are reported as errors and retried by ioredis.
  cluster.on('error', noop);
  cluster.on('smessage', (from: string, payload: string) => {
    if (!closed && from === channel) events.message(payload);
  });
  void confirm();
  return {
    close() {
      if (closed) return;
      closed = true;
      stop.abort();
      cluster.disconnect();
      cluster.removeAllListeners();
      cluster.on('error', noop);
    },
  };
}

/**
 * Every SSUBSCRIBE through the cluster client adds the channel to the list its subscriber group
 * sends again after a reshard, even when it is there already: after each confirmation the list is
 * kept to one copy per channel, so that it does not grow with every gap. (The group's `channels`
 * map is ioredis's own; when it is not there in that form, nothing is done.)
 */
function forgetRepeats(cluster: Cluster): void {
  const group = (cluster as unknown as { shardedSubscribers?: { channels?: unknown } })
    .shardedSubscribers;
  const channels = group?.channels;
  if (!(channels instanceof Map)) return;
  for (const [slot, names] of channels) {
    if (Array.isArray(names)) channels.set(slot, [...new Set(names)]);
  }
}

/** Settles like `pending`, or rejects once `ms` have passed. */
function bounded<T>(pending: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to SSUBSCRIBE within ${ms} ms`)), ms);
  });
  pending.catch(noop);
  return Promise.race([pending, expired]).finally(() => clearTimeout(timer));
}
