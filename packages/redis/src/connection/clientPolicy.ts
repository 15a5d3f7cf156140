import type { Redis } from 'ioredis';
import { exponentialDelay, type RetryPolicy } from './retryPolicy.js';

/**
 * Drops the client's socket at once, so that the commands waiting on it fail as unanswered (a
 * write: outcome unknown) and the client reconnects. `disconnect()` would only half-close it:
 * against a server that hangs, the commands would wait for as long as it does.
 */
export function cutOff(client: Redis): void {
  client.stream?.destroy();
}

/** The timeouts every client the driver creates runs with. */
export interface ClientTimeouts {
  readonly connectTimeoutMs: number;
}

/** The store never waits for a server on close (it disconnects, never QUITs): keep this short. */
const DISCONNECT_TIMEOUT_MS = 50;

/**
 * Reconnect forever (until `close()`), backing off from 50 ms to 1 s: a restarted server is picked
 * up within a second. ioredis runs this loop (`retryStrategy`, `sentinelRetryStrategy`,
 * `clusterRetryStrategy`).
 */
export const RECONNECT: RetryPolicy = { delayMs: exponentialDelay(50, 1000) };

/**
 * The ioredis options that make every failure bounded and typed (with ioredis's defaults a
 * command against an unreachable or mis-configured server waits up to 73 s, or forever):
 *
 * - `lazyConnect`: creating a store does no I/O.
 * - `enableOfflineQueue: false`: nothing is queued while disconnected. The driver itself waits for
 *   the connection, up to the connect timeout, and only then writes the command; so a command is
 *   either written at once or refused, and "was it sent?" always has an answer.
 * - `maxRetriesPerRequest: 0`, `autoResendUnfulfilledCommands: false`: a command in flight when
 *   the connection drops fails at once (a write then says "outcome unknown") instead of being
 *   silently sent again after the reconnect.
 * - No `commandTimeout`: the driver bounds every operation itself, with one coarse timer per
 *   connection rather than one per command, and restarts a handshake that hangs.
 * - `enableReadyCheck: false`: the ready check runs INFO, which a minimal ACL user is not granted
 *   (ioredis would print a warning on every connect). A server still loading answers LOADING,
 *   which the driver reports as a connection error.
 * - `retryStrategy`: reconnect forever with a short backoff, so a restarted server is picked up.
 * - `disconnectTimeout`: how long a closed client waits for its socket to close before destroying
 *   it. ioredis arms this timer even for a socket that already failed, and it then runs in full
 *   (2 s by default), holding up the exit of an app that gives up after a failed connection.
 * - `disableClientInfo`: no CLIENT SETINFO in the handshake. It is informational, Redis before 7.2
 *   rejects it on every connection, and an ACL user need not be granted it.
 */
export function ownedClientPolicy(timeouts: ClientTimeouts) {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: timeouts.connectTimeoutMs,
    retryStrategy: RECONNECT.delayMs,
    disableClientInfo: true,
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
  } as const;
}
