import { StoreErrorCode, StowageError } from '@stowage/core';
import { closedError } from '@stowage/core/driver';
import type { Redis } from 'ioredis';
import { cutOff } from '../connection/clientPolicy.js';
import type { RedisConnection } from '../connection/RedisConnection.js';

interface PendingAcquire {
  readonly resolve: (connection: RedisConnection) => void;
  readonly reject: (error: StowageError) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Dedicated connections to one node, each lent to one operation at a time:
 *
 * - WATCH transactions. WATCH belongs to a connection: two transactions sharing one would watch
 *   each other's keys and one EXEC would clear the other's WATCH.
 * - Durable writes (`waitForReplicas`). WAIT must follow the write on the connection that wrote,
 *   and it blocks that connection until the replicas confirm or its timeout passes: on the
 *   store's shared connection it would hold up every read and every other writer's WAIT.
 *
 * Connections are created on demand, up to `max`; a borrower waits at most `acquireTimeoutMs`
 * for one.
 */
export class DedicatedConnectionPool {
  private readonly idle: RedisConnection[] = [];
  /** Every open connection, idle or lent. */
  private readonly open = new Set<RedisConnection>();
  private readonly pending: PendingAcquire[] = [];
  private size = 0;
  private closed = false;

  constructor(
    private readonly create: () => RedisConnection,
    private readonly max: number,
    private readonly acquireTimeoutMs: number,
  ) {}

  /** A connection no other transaction uses until it is released. */
  acquire(operation = 'upsert'): Promise<RedisConnection> {
    if (this.closed) {
      return Promise.reject(closedError(`Redis ${operation}`));
    }
    const idle = this.idle.pop();
    if (idle !== undefined) return Promise.resolve(idle);
    if (this.size < this.max) {
      this.size += 1;
      return Promise.resolve(this.created());
    }
    return new Promise((resolve, reject) => {
      const entry: PendingAcquire = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.pending.splice(this.pending.indexOf(entry), 1);
          reject(
            new StowageError(
              StoreErrorCode.Timeout,
              `Redis ${operation} failed: no dedicated write connection was free within ${this.acquireTimeoutMs} ms; nothing was sent`,
            ),
          );
        }, this.acquireTimeoutMs),
      };
      this.pending.push(entry);
    });
  }

  /**
   * Gives a connection back. One whose transaction did not finish cleanly (an error, a timeout)
   * may still hold a WATCH or be mid-MULTI: it is closed, never reused.
   */
  release(connection: RedisConnection, reusable: boolean): void {
    if (!reusable || this.closed) {
      connection.close();
      this.open.delete(connection);
      this.size -= 1;
      const next = this.closed ? undefined : this.pending.shift();
      if (next !== undefined) {
        clearTimeout(next.timer);
        this.size += 1;
        next.resolve(this.created());
      }
      return;
    }
    const next = this.pending.shift();
    if (next === undefined) {
      this.idle.push(connection);
      return;
    }
    clearTimeout(next.timer);
    next.resolve(connection);
  }

  /** Closes every idle connection; borrowed ones are closed as they come back. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const entry of this.pending.splice(0)) {
      clearTimeout(entry.timer);
      entry.reject(closedError('Redis upsert'));
    }
    for (const connection of this.idle.splice(0)) {
      connection.close();
      this.open.delete(connection);
    }
  }

  /**
   * Closes the pool and cuts the connections still lent (their commands fail as unanswered, a
   * write as `outcome-unknown`): the node no longer serves the store and may never answer.
   */
  abandon(): void {
    this.close();
    // A reconnecting drop, not close(): the operation sees its command cut off, not "closed".
    for (const connection of this.open) cutOff(connection.client as Redis);
  }

  private created(): RedisConnection {
    const connection = this.create();
    this.open.add(connection);
    return connection;
  }
}
