import type { Redis } from 'ioredis';
import { singleNodeSubscription } from '../feed/singleNodeSubscription.js';
import type { RedisTopology } from './RedisTopology.js';

/** Options a subscriber connection adds to the driver's own. */
export interface SubscriberOptions {
  readonly autoResubscribe?: boolean;
}

/**
 * The subscriber connection of the change feed: the feed subscribes on every `ready` itself, to
 * know when the server confirmed it (ioredis's own resubscription is not awaited by anyone).
 */
const SUBSCRIBER: SubscriberOptions = { autoResubscribe: false };

/**
 * The parts shared by topologies where every key lives on one server at a time (standalone, and
 * the primary behind Sentinel): one client is one connection to that server. `create` makes one,
 * with `extra` options over the driver's own.
 */
export function singleNode(
  create: (extra?: SubscriberOptions) => Redis,
): Pick<
  RedisTopology,
  | 'createClient'
  | 'transactionTarget'
  | 'redirectTarget'
  | 'nodeUnresponsive'
  | 'probe'
  | 'subscribe'
> {
  const createClient = () => create();
  const primary = { node: 'primary', create: createClient };
  return {
    createClient,
    transactionTarget: () => primary,
    redirectTarget: () => primary,
    // The client reconnects by itself (and asks the sentinels again).
    nodeUnresponsive: () => {},
    probe: (main) => main.ping(),
    subscribe: (channel, events) => singleNodeSubscription(create(SUBSCRIBER), channel, events),
  };
}
