import { StoreErrorCode, StowageError } from '@stowage/core';
import { closedError } from '@stowage/core/driver';
import { Command } from 'ioredis';
import { type OperationEffect, toStowageError } from '../errors/toStowageError.js';
import type { RedisClient } from '../topology/RedisTopology.js';
import { Deadlines } from './Deadlines.js';
import { toOperationError } from './handshake.js';
import { Readiness } from './Readiness.js';

/** How one connection behaves. */
export interface ConnectionPolicy {
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  /** Strings to scrub from every error. */
  readonly secrets: ReadonlyArray<string>;
}

/** One command a store operation consists of, for {@link RedisConnection.send}. */
export interface CommandRequest {
  /** The store operation, e.g. `get`, named in errors. */
  readonly operation: string;
  readonly effect: OperationEffect;
  /** The Redis command, e.g. `hget`. */
  readonly name: string;
  /**
   * The reply as the Buffers Redis sent, for the caller to decode: a big reply is then not
   * turned into strings all at once (by default, strings).
   */
  readonly buffers?: true;
}

/** The client's refusal of a command on a socket that is closing: it was not written. */
const REFUSED_UNSENT = "Stream isn't writeable and enableOfflineQueue options is false";

function isRefusedUnsent(error: unknown): boolean {
  return (error as { message?: unknown } | undefined)?.message === REFUSED_UNSENT;
}

/** Replies as strings, as the client's own command methods give them. */
const AS_STRINGS = { replyEncoding: 'utf8' } as const;
const AS_BUFFERS = {} as const;

/**
 * One ioredis client and the rules every operation on it follows: wait for the connection (up to
 * the connect timeout, see {@link Readiness}), then send, bounded by the command timeout; every
 * failure becomes a typed `StowageError` without secrets.
 */
export class RedisConnection {
  private closed = false;
  private readonly readiness: Readiness;
  private readonly deadlines: Deadlines;

  constructor(
    readonly client: RedisClient,
    /** False for a client handed in by the application: never closed, no lasting listeners. */
    private readonly owned: boolean,
    private readonly policy: ConnectionPolicy,
  ) {
    this.deadlines = new Deadlines(policy.commandTimeoutMs);
    this.readiness = new Readiness(
      client,
      owned,
      policy.connectTimeoutMs,
      (error, operation, code, hint) => this.toError(error, operation, 'read', code, hint),
    );
  }

  /**
   * Sends one command once the client is ready. The promise is the client's own, rejected by the
   * command timeout too: the failure it rejects with is the client's, to be handed to
   * {@link recover} (the read path then costs one promise, with no handler on it).
   */
  send(request: CommandRequest, args: string[]): Promise<unknown> {
    if (
      this.client.status === 'ready' &&
      !this.closed &&
      this.readiness.diagnosis.refusal === undefined
    ) {
      return this.dispatch(request, args);
    }
    return this.sendWhenReady(request, args);
  }

  /**
   * What a failed {@link send} comes to: a command the client refused without writing it (its
   * connection had just dropped) is sent again once the client is back, once; any other failure
   * is thrown as a `StowageError`.
   */
  async recover(error: unknown, request: CommandRequest, args: string[]): Promise<unknown> {
    if (StowageError.is(error)) throw error;
    if (!isRefusedUnsent(error) || this.closed) throw this.failure(error, request);
    await this.readiness.whenReady(request.operation);
    try {
      return await this.dispatch(request, args);
    } catch (failure) {
      throw this.failure(failure, request);
    }
  }

  /**
   * Runs `op` once the client is ready and turns any failure into a `StowageError`: for
   * operations of several commands. `effect` says whether a command that was sent and not
   * answered could have changed data.
   */
  run<T>(
    operation: string,
    effect: OperationEffect,
    op: (client: RedisClient) => Promise<T>,
  ): Promise<T> {
    const refused = this.refusedNow(operation, effect);
    if (refused !== undefined) return Promise.reject(refused);
    if (this.client.status === 'ready') return this.execute(operation, effect, op);
    return this.readiness.whenReady(operation).then(() => this.execute(operation, effect, op));
  }

  /** True when the server answers `check` within the timeouts. Never throws. */
  async probe(check: (client: RedisClient) => Promise<unknown>): Promise<boolean> {
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
    this.readiness.close((operation) => this.closedError(operation));
    // disconnect, not quit: QUIT would wait for a server that may be gone.
    if (this.owned) this.client.disconnect();
  }

  private dispatch({ name, buffers }: CommandRequest, args: string[]): Promise<unknown> {
    const command = new Command(name, args, buffers ? AS_BUFFERS : AS_STRINGS);
    const answer = this.client.sendCommand(command) as Promise<unknown>;
    this.deadlines.track(command);
    return answer;
  }

  private async sendWhenReady(request: CommandRequest, args: string[]): Promise<unknown> {
    const refused = this.refusedNow(request.operation, request.effect);
    if (refused !== undefined) throw refused;
    await this.readiness.whenReady(request.operation);
    return this.dispatch(request, args);
  }

  /** The error an operation fails with before anything is sent, if it must. */
  private refusedNow(operation: string, effect: OperationEffect): StowageError | undefined {
    if (this.closed) return this.closedError(operation);
    const refusal = this.readiness.diagnosis.refusal;
    return refusal === undefined ? undefined : this.toError(refusal, operation, effect);
  }

  private execute<T>(
    operation: string,
    effect: OperationEffect,
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
      unsent = isRefusedUnsent(error);
      return this.failure(error, { operation, effect });
    });
    if (!mayWait) return answered;
    // A connection the server has just dropped still looks ready until its close event: the
    // client refuses the command without writing it. Nothing was sent, so the operation waits for
    // the reconnection like one issued while disconnected, instead of failing at once.
    return answered.catch((error: unknown) => {
      if (!unsent || this.closed) throw error;
      return this.readiness
        .whenReady(operation)
        .then(() => this.execute(operation, effect, op, false));
    });
  }

  /** The typed error of a failed command: `closed` once the store is closed. */
  private failure(
    error: unknown,
    { operation, effect }: Pick<CommandRequest, 'operation' | 'effect'>,
  ): StowageError {
    if (this.closed) return this.closedError(operation, error);
    return this.toError(error, operation, effect);
  }

  private toError(
    error: unknown,
    operation: string,
    effect: OperationEffect,
    code?: StoreErrorCode,
    hint?: string,
  ): StowageError {
    return toOperationError(error, { operation, effect, secrets: this.policy.secrets }, code, hint);
  }

  private closedError(operation: string, cause?: unknown): StowageError {
    if (cause === undefined) return closedError(`Redis ${operation}`);
    const context = { operation, effect: 'write', secrets: this.policy.secrets } as const;
    return closedError(`Redis ${operation}`, { cause: toStowageError(cause, context) });
  }
}
