import type { Redis } from 'ioredis';
import { exponentialDelay } from '../connection/retryPolicy.js';
import type { ChannelSubscription, SubscriptionEvents } from './ChannelSubscription.js';
import { subscribeRefusal } from './feedRefusals.js';

const noop = () => {};
/** Pauses before SSUBSCRIBE is sent again after a failure on a connection that is still up. */
const RETRY_DELAY_MS = exponentialDelay(50, 1000);

/**
 * The change channel followed on one server (standalone, or the primary the sentinels name) by a
 * subscriber connection of the feed's own, created lazy and without ioredis's own resubscription
 * (`autoResubscribe: false`): the feed sends SSUBSCRIBE on every `ready` itself, so that it knows
 * when the server confirmed it. The connection reconnects forever (to the new primary after a
 * failover); `close`, `end` and `reconnecting` say that messages may be missed until the next
 * confirmation.
 */
export function singleNodeSubscription(
  client: Redis,
  channel: string,
  events: SubscriptionEvents,
): ChannelSubscription {
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const subscribe = (attempt = 1) => {
    clearTimeout(retry);
    client.ssubscribe(channel).then(
      () => {
        if (!closed) events.subscribed();
      },
      (error: unknown) => {
        if (closed) return;
        const refusal = subscribeRefusal(error, channel);
        if (refusal !== undefined) {
          events.failed(refusal);
          return;
        }
        // The connection dropped: the next `ready` subscribes again. Still connected (a failure
        // of the server's), it is tried again here, so that the feed never waits for nothing.
        if (client.status === 'ready') {
          retry = setTimeout(() => subscribe(attempt + 1), RETRY_DELAY_MS(attempt));
          retry.unref();
        }
      },
    );
  };
  const lost = () => {
    if (!closed) events.lost();
  };
  client.on('ready', () => subscribe());
  client.on('close', lost);
  client.on('end', lost);
  client.on('reconnecting', lost);
  // Connection errors are followed by `close` and a reconnection; without a listener they would
  // be thrown.
  client.on('error', noop);
  client.on('smessage', (from: string, payload: string) => {
    if (!closed && from === channel) events.message(payload);
  });
  // A failed first connection is retried by the client's own reconnection loop.
  client.connect().catch(noop);
  return {
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(retry);
      client.disconnect();
      client.removeAllListeners();
      client.on('error', noop);
    },
  };
}
