/** What a subscription to the change channel reports to its source. */
export interface SubscriptionEvents {
  /** A message on the channel. */
  message(payload: string): void;
  /** The server confirmed the SSUBSCRIBE (the first time, or again after a gap). */
  subscribed(): void;
  /** Messages may be missed from now on (the connection is lost, a node failed, a slot moved). */
  lost(): void;
  /** The subscription can never be made (the server refuses it): the feed fails with `error`. */
  failed(error: Error): void;
}

/** A running subscription to the change channel on a connection of its own. */
export interface ChannelSubscription {
  /** Unsubscribes and closes the connection; nothing is reported afterwards. */
  close(): void;
}

/** Starts a subscription reporting to `events`. */
export type Subscribe = (events: SubscriptionEvents) => ChannelSubscription;
