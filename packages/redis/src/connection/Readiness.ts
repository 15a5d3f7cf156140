import { StoreErrorCode, StowageError } from '@stowage/core';
import type { RedisClient } from '../topology/RedisTopology.js';
import { type ErrorFactory, HandshakeDiagnosis } from './HandshakeDiagnosis.js';

interface Waiter {
  readonly operation: string;
  readonly resolve: () => void;
  readonly reject: (error: StowageError) => void;
  readonly timer: NodeJS.Timeout;
}

const noop = () => {};

function handedClientClosed(operation: string): StowageError {
  return new StowageError(
    StoreErrorCode.Connection,
    `Redis ${operation} failed: the client handed to the store has been closed`,
  );
}

/**
 * Waiting for one client to be ready: operations that find it not connected wait, up to the
 * connect timeout, sharing one set of listeners however many wait; they are told at once when the
 * client meets a failure no reconnection fixes (see {@link HandshakeDiagnosis}).
 */
export class Readiness {
  private listening = false;
  private closed = false;
  private readonly waiters = new Set<Waiter>();
  readonly diagnosis: HandshakeDiagnosis;

  constructor(
    private readonly client: RedisClient,
    /** False for a client handed in by the application: never connected again by us, no lasting listeners. */
    private readonly owned: boolean,
    private readonly connectTimeoutMs: number,
    private readonly toError: ErrorFactory,
  ) {
    const usesTls = Boolean((client.options as { tls?: unknown } | undefined)?.tls);
    this.diagnosis = new HandshakeDiagnosis(usesTls, owned, connectTimeoutMs, toError);
    // Our own clients always have a listener, so that ioredis never prints "Unhandled error".
    if (owned) this.listen();
  }

  /** Resolves once the client is ready; rejects with the typed reason it will not be in time. */
  whenReady(operation: string): Promise<void> {
    const status = this.client.status;
    if (status === 'end' && !this.owned) return Promise.reject(handedClientClosed(operation));
    if (status === 'wait' || status === 'end') this.client.connect().catch(noop);
    this.listen();
    const fatal = this.diagnosis.fatalError(operation);
    if (fatal !== undefined && status !== 'connect') return Promise.reject(fatal);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        operation,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          this.afterWait();
          // A handshake the server never answers (a frozen server accepts TCP connections in its
          // kernel backlog) would hold our client forever: start over.
          if (this.owned && this.client.status === 'connect') this.client.disconnect(true);
          reject(this.diagnosis.notConnectedError(operation));
        }, this.connectTimeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Fails every waiting operation with `error(operation)`; a client handed in loses our listeners. */
  close(error: (operation: string) => StowageError): void {
    this.closed = true;
    this.settleWaiters(error);
    if (!this.owned) this.unlisten();
  }

  private settleWaiters(error?: (operation: string) => StowageError): void {
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      if (error === undefined) waiter.resolve();
      else waiter.reject(error(waiter.operation));
    }
    this.waiters.clear();
    this.afterWait();
  }

  private readonly onReady = () => {
    this.diagnosis.ready();
    const refusal = this.diagnosis.refusal;
    if (refusal === undefined) this.settleWaiters();
    else this.settleWaiters((operation) => this.toError(refusal, operation));
  };

  private readonly onConnecting = () => this.diagnosis.connecting(this.client);

  private readonly onConnect = () => this.diagnosis.connected();

  private readonly onError = (error: unknown) => {
    this.diagnosis.failed(error);
    if (this.waiters.size > 0 && this.diagnosis.fatalError('connect') !== undefined) {
      this.settleWaiters((operation) => this.diagnosis.fatalError(operation) as StowageError);
    }
  };

  private readonly onClose = () => this.diagnosis.closed();

  // The client gave up: closed by the application (a client handed in), or a connection that
  // could not even be attempted (our own; the next operation tries again).
  private readonly onEnd = () => {
    if (this.closed || this.waiters.size === 0) return;
    this.settleWaiters((operation) =>
      this.owned ? this.diagnosis.notConnectedError(operation) : handedClientClosed(operation),
    );
  };

  /** The client's events this class follows, and what it does on each. */
  private readonly handlers: ReadonlyArray<[string, (arg?: unknown) => void]> = [
    ['ready', this.onReady],
    ['connecting', this.onConnecting],
    ['connect', this.onConnect],
    ['error', this.onError],
    ['close', this.onClose],
    ['end', this.onEnd],
  ];

  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    for (const [event, handler] of this.handlers) this.client.on(event, handler);
  }

  private unlisten(): void {
    if (!this.listening) return;
    this.listening = false;
    for (const [event, handler] of this.handlers) this.client.off(event, handler);
  }

  /** A client handed in keeps no listener of ours once nothing waits. */
  private afterWait(): void {
    if (!this.owned && this.waiters.size === 0) this.unlisten();
  }
}
