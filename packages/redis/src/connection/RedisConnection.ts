import type { Socket } from 'node:net';
import { StoreErrorCode, StowageError } from '@stowage/core';
import { closedError } from '@stowage/core/driver';
import { classifyError, type OperationKind, toStowageError } from '../errors/toStowageError.js';
import type { RedisClient } from '../topology/RedisTopology.js';
import { Deadlines } from './Deadlines.js';
import { handshakeRefusalError, handshakeStep, isCarriedOnRefusal } from './handshake.js';

/** How one connection behaves. */
export interface ConnectionPolicy {
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  /** Strings to scrub from every error. */
  readonly secrets: ReadonlyArray<string>;
}

interface Waiter {
  readonly operation: string;
  readonly resolve: () => void;
  readonly reject: (error: StowageError) => void;
  readonly timer: NodeJS.Timeout;
}

/** Failures that retrying the connection will not fix: operations fail at once, not at the deadline. */
const FATAL_CODES: ReadonlySet<StoreErrorCode> = new Set([
  StoreErrorCode.Auth,
  StoreErrorCode.Tls,
  StoreErrorCode.Permission,
]);

const TLS_RESET_HINT =
  'the server reset the connection during the handshake: it probably expects TLS (use rediss:// or the tls option)';

const TLS_UNANSWERED_HINT =
  'the server accepted the connection but never answered the TLS handshake: it may not speak TLS (use redis://, or turn TLS off), or it is not responding';

const noop = () => {};

/** The client's refusal of a command on a socket that is closing: it was not written. */
const REFUSED_UNSENT = "Stream isn't writeable and enableOfflineQueue options is false";

function isRefusedUnsent(error: unknown): boolean {
  return (error as { message?: unknown } | undefined)?.message === REFUSED_UNSENT;
}

/**
 * One ioredis client and the rules every operation on it follows: wait for the connection (up to
 * the connect timeout, sharing one set of listeners however many operations wait), then send,
 * bounded by the command timeout; every failure becomes a typed `StowageError` without secrets.
 */
export class RedisConnection {
  private closed = false;
  private listening = false;
  private lastError: unknown;
  private inHandshake = false;
  private handshakeResets = 0;
  /** With TLS: the server accepted the TCP connection but has not answered the TLS handshake. */
  private tlsUnanswered = false;
  /** Set when the server refused part of the handshake (e.g. SELECT) but the client went on. */
  private refusal: unknown;
  private readonly waiters = new Set<Waiter>();
  private readonly usesTls: boolean;
  private readonly deadlines: Deadlines;

  constructor(
    readonly client: RedisClient,
    /** False for a client handed in by the application: never closed, no lasting listeners. */
    private readonly owned: boolean,
    private readonly policy: ConnectionPolicy,
  ) {
    this.usesTls = Boolean((client.options as { tls?: unknown } | undefined)?.tls);
    this.deadlines = new Deadlines(policy.commandTimeoutMs);
    // Our own clients always have a listener, so that ioredis never prints "Unhandled error".
    if (owned) this.listen();
  }

  /**
   * Runs `op` once the client is ready and turns any failure into a `StowageError`. `kind` says
   * whether a command that was sent and not answered could have changed data.
   */
  run<T>(
    operation: string,
    kind: OperationKind,
    op: (client: RedisClient) => Promise<T>,
  ): Promise<T> {
    if (this.closed) return Promise.reject(this.closedError(operation));
    if (this.refusal !== undefined) {
      return Promise.reject(this.toError(this.refusal, operation, kind));
    }
    if (this.client.status === 'ready') return this.execute(operation, kind, op);
    return this.whenReady(operation).then(() => this.execute(operation, kind, op));
  }

  /** True when the server answers `check` (default PING) within the timeouts. Never throws. */
  async probe(
    check: (client: RedisClient) => Promise<unknown> = (client) => client.ping(),
  ): Promise<boolean> {
    if (this.closed) return false;
    try {
      await this.run('isAvailable', 'read', check);
      return true;
    } catch (error) {
      // The server answered, it only refused PING to this ACL user.
      return StowageError.is(error, StoreErrorCode.Permission);
    }
  }

  /** Fails every waiting operation with `closed` and, for our own client, disconnects at once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(this.closedError(waiter.operation));
    }
    this.waiters.clear();
    if (this.owned) {
      // disconnect, not quit: QUIT would wait for a server that may be gone.
      this.client.disconnect();
    } else {
      this.unlisten();
    }
  }

  private execute<T>(
    operation: string,
    kind: OperationKind,
    op: (client: RedisClient) => Promise<T>,
    mayWait = true,
  ): Promise<T> {
    let pending: Promise<T>;
    try {
      pending = op(this.client);
    } catch (error) {
      pending = Promise.reject(error);
    }
    let unsent = false;
    const answered = this.deadlines.race(pending, (error) => {
      if (this.closed) return this.closedError(operation, error);
      unsent = isRefusedUnsent(error);
      return this.toError(error, operation, kind);
    });
    if (!mayWait) return answered;
    // A connection the server has just dropped still looks ready until its close event: the
    // client refuses the command without writing it. Nothing was sent, so the operation waits for
    // the reconnection like one issued while disconnected, instead of failing at once.
    return answered.catch((error: unknown) => {
      if (!unsent || this.closed) throw error;
      return this.whenReady(operation).then(() => this.execute(operation, kind, op, false));
    });
  }

  private whenReady(operation: string): Promise<void> {
    const status = this.client.status;
    if (status === 'end' && !this.owned) {
      return Promise.reject(
        new StowageError(
          StoreErrorCode.Connection,
          `Redis ${operation} failed: the client handed to the store has been closed`,
        ),
      );
    }
    if (status === 'wait' || status === 'end') this.client.connect().catch(noop);
    this.listen();
    const fatal = this.fatalError(operation);
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
          reject(this.notConnectedError(operation));
        }, this.policy.connectTimeoutMs),
      };
      this.waiters.add(waiter);
    });
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
    this.inHandshake = false;
    this.handshakeResets = 0;
    this.lastError = undefined;
    if (this.refusal !== undefined) {
      const refusal = this.refusal;
      this.settleWaiters((operation) => this.toError(refusal, operation, 'read'));
    } else {
      this.settleWaiters();
    }
  };

  // With TLS, tells "no TCP connection" from "no answer to the TLS handshake", which is what a
  // plain server does with one (so does a frozen one). The socket is made a moment after this
  // event, and connects a moment after that.
  private readonly onConnecting = () => {
    this.tlsUnanswered = false;
    if (!this.usesTls) return;
    setImmediate(() => {
      const stream = (this.client as { stream?: Socket }).stream;
      if (stream === undefined || stream.destroyed) return;
      if (!stream.connecting) this.tlsUnanswered = this.client.status === 'connecting';
      else stream.once('connect', () => (this.tlsUnanswered = true));
    });
  };

  private readonly onConnect = () => {
    this.tlsUnanswered = false;
    this.inHandshake = true;
    this.refusal = undefined;
  };

  private readonly onError = (error: unknown) => {
    this.lastError = error;
    const code = (error as { code?: unknown } | undefined)?.code;
    if (this.inHandshake && code === 'ECONNRESET' && !this.usesTls) this.handshakeResets += 1;
    if (this.inHandshake && this.owned && isCarriedOnRefusal(error)) {
      // ioredis goes on after a refused SELECT, on database 0: never let that write anywhere.
      this.refusal = error;
    }
    if (this.fatalError('connect') !== undefined && this.waiters.size > 0) {
      this.settleWaiters((operation) => this.fatalError(operation) as StowageError);
    }
  };

  private readonly onClose = () => {
    this.inHandshake = false;
  };

  // The client gave up: closed by the application (a client handed in), or a connection that
  // could not even be attempted (our own; the next operation tries again).
  private readonly onEnd = () => {
    if (this.closed || this.waiters.size === 0) return;
    this.settleWaiters((operation) =>
      this.owned
        ? this.notConnectedError(operation)
        : new StowageError(
            StoreErrorCode.Connection,
            `Redis ${operation} failed: the client handed to the store has been closed`,
          ),
    );
  };

  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    this.client.on('ready', this.onReady);
    this.client.on('connecting', this.onConnecting);
    this.client.on('connect', this.onConnect);
    this.client.on('error', this.onError);
    this.client.on('close', this.onClose);
    this.client.on('end', this.onEnd);
  }

  private unlisten(): void {
    if (!this.listening) return;
    this.listening = false;
    this.client.off('ready', this.onReady);
    this.client.off('connecting', this.onConnecting);
    this.client.off('connect', this.onConnect);
    this.client.off('error', this.onError);
    this.client.off('close', this.onClose);
    this.client.off('end', this.onEnd);
  }

  /** A client handed in keeps no listener of ours once nothing waits. */
  private afterWait(): void {
    if (!this.owned && this.waiters.size === 0) this.unlisten();
  }

  private fatalError(operation: string): StowageError | undefined {
    if (this.handshakeResets >= 2) {
      return this.toError(this.lastError, operation, 'read', StoreErrorCode.Tls, TLS_RESET_HINT);
    }
    if (this.lastError === undefined) return undefined;
    const code = classifyError(this.lastError, 'read');
    return FATAL_CODES.has(code) ? this.toError(this.lastError, operation, 'read') : undefined;
  }

  private notConnectedError(operation: string): StowageError {
    const fatal = this.fatalError(operation);
    if (fatal !== undefined) return fatal;
    const hint = `not connected within ${this.policy.connectTimeoutMs} ms`;
    const resetHint =
      this.handshakeResets > 0
        ? `; ${TLS_RESET_HINT}`
        : this.tlsUnanswered
          ? `; ${TLS_UNANSWERED_HINT}`
          : '';
    if (this.lastError === undefined) {
      return new StowageError(
        StoreErrorCode.Connection,
        `Redis ${operation} failed: the server could not be reached; ${hint}${resetHint}`,
      );
    }
    return this.toError(
      this.lastError,
      operation,
      'read',
      StoreErrorCode.Connection,
      hint + resetHint,
    );
  }

  private toError(
    error: unknown,
    operation: string,
    kind: OperationKind,
    code?: StoreErrorCode,
    hint?: string,
  ): StowageError {
    const context = { operation, kind, secrets: this.policy.secrets };
    const step = code === undefined ? handshakeStep(error) : undefined;
    if (step !== undefined) return handshakeRefusalError(error, step, context);
    return toStowageError(error, context, code, hint);
  }

  private closedError(operation: string, cause?: unknown): StowageError {
    if (cause === undefined) return closedError(`Redis ${operation}`);
    const context = { operation, kind: 'write', secrets: this.policy.secrets } as const;
    return closedError(`Redis ${operation}`, { cause: toStowageError(cause, context) });
  }
}
