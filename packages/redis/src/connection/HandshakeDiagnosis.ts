import type { Socket } from 'node:net';
import { StoreErrorCode, StowageError } from '@stowage/core';
import { classifyError } from '../errors/toStowageError.js';
import type { RedisClient } from '../topology/RedisTopology.js';
import { isCarriedOnRefusal } from './handshake.js';

/** Builds the typed error of `operation` from a client failure (see `RedisConnection`). */
export type ErrorFactory = (
  error: unknown,
  operation: string,
  code?: StoreErrorCode,
  hint?: string,
) => StowageError;

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

/**
 * What the client's events say about why a connection is not ready: a refused set-up step, a
 * failure no reconnection will fix (credentials, TLS, ACL), or a server that resets or never
 * answers the handshake. It turns that into the error an operation that cannot run is given.
 */
export class HandshakeDiagnosis {
  private lastError: unknown;
  private inHandshake = false;
  private handshakeResets = 0;
  /** With TLS: the server accepted the TCP connection but has not answered the TLS handshake. */
  private tlsUnanswered = false;
  private refused: unknown;

  constructor(
    private readonly usesTls: boolean,
    /** False for a client handed in by the application: ioredis then decides on refusals. */
    private readonly owned: boolean,
    private readonly connectTimeoutMs: number,
    private readonly toError: ErrorFactory,
  ) {}

  /**
   * Set when the server refused a step of the set-up that ioredis goes on after (SELECT,
   * READONLY): every operation on the connection fails with it.
   */
  get refusal(): unknown {
    return this.refused;
  }

  /**
   * With TLS, tells "no TCP connection" from "no answer to the TLS handshake", which is what a
   * plain server does with one (so does a frozen one). The socket is made a moment after this
   * event, and connects a moment after that.
   */
  connecting(client: RedisClient): void {
    this.tlsUnanswered = false;
    if (!this.usesTls) return;
    setImmediate(() => {
      const stream = (client as { stream?: Socket }).stream;
      if (stream === undefined || stream.destroyed) return;
      if (!stream.connecting) this.tlsUnanswered = client.status === 'connecting';
      else stream.once('connect', () => (this.tlsUnanswered = true));
    });
  }

  /** The client's `connect` event: the socket is up, the handshake (HELLO, SELECT, ...) begins. */
  connected(): void {
    this.tlsUnanswered = false;
    this.inHandshake = true;
    this.refused = undefined;
  }

  /** The client's `ready` event: the handshake is over. */
  ready(): void {
    this.inHandshake = false;
    this.handshakeResets = 0;
    this.lastError = undefined;
  }

  /** The client's `error` event. */
  failed(error: unknown): void {
    this.lastError = error;
    const code = (error as { code?: unknown } | undefined)?.code;
    if (this.inHandshake && code === 'ECONNRESET' && !this.usesTls) this.handshakeResets += 1;
    if (this.inHandshake && this.owned && isCarriedOnRefusal(error)) {
      // ioredis goes on after a refused SELECT, on database 0: never let that write anywhere.
      this.refused = error;
    }
  }

  /** The client's `close` event. */
  closed(): void {
    this.inHandshake = false;
  }

  /** The error every operation fails with at once, or undefined while reconnecting may help. */
  fatalError(operation: string): StowageError | undefined {
    if (this.handshakeResets >= 2) {
      return this.toError(this.lastError, operation, StoreErrorCode.Tls, TLS_RESET_HINT);
    }
    if (this.lastError === undefined) return undefined;
    const code = classifyError(this.lastError, 'read');
    return FATAL_CODES.has(code) ? this.toError(this.lastError, operation) : undefined;
  }

  /** The error of an operation that waited the whole connect timeout in vain. */
  notConnectedError(operation: string): StowageError {
    const fatal = this.fatalError(operation);
    if (fatal !== undefined) return fatal;
    const hint = `not connected within ${this.connectTimeoutMs} ms`;
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
    return this.toError(this.lastError, operation, StoreErrorCode.Connection, hint + resetHint);
  }
}
