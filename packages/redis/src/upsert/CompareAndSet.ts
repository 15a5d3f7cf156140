import { type DataKind, StowageSerializationError, type UpsertResult } from '@stowage/core';
import { parseStoredString, type UpsertReadWriteHook } from '@stowage/core/driver';
import type { RedisConnection } from '../connection/RedisConnection.js';
import type { DurableWrites } from '../durability/DurableWrites.js';
import { toStowageError } from '../errors/toStowageError.js';
import { withPublishRule } from '../feed/feedRefusals.js';
import type { RedisMode, UpsertStrategy } from '../RedisDriverOptions.js';
import { retryRedirections } from '../topology/clusterRetry.js';
import type { CasOutcome } from './CasOutcome.js';
import type { DedicatedConnectionPool } from './DedicatedConnectionPool.js';
import type { NodePools } from './NodePools.js';
import { SerialQueue } from './SerialQueue.js';
import { type CasWrite, durableScriptUpsert, scriptUpsert } from './scriptUpsert.js';
import { watchUpsert } from './watchUpsert.js';

/** What the compare-and-set of one store works with. */
export interface CompareAndSetContext {
  readonly mode: RedisMode;
  readonly strategy: UpsertStrategy;
  readonly maxAttempts: number;
  readonly hook: UpsertReadWriteHook | undefined;
  readonly secrets: ReadonlyArray<string>;
  /** The store's shared connection. */
  readonly connection: RedisConnection;
  readonly pools: NodePools;
  /** `waitForReplicas`, when on. */
  readonly durable: DurableWrites | undefined;
  /** The dedicated connections to the node serving `hashKey`, as the store looks them up. */
  pool(hashKey: string, operation: string): Promise<DedicatedConnectionPool>;
  /** Lets the store see the failure of a command to its node (see `RedisStore`). */
  watched<T>(pending: Promise<T>): Promise<T>;
}

/**
 * The `upsert` of one store, whichever strategy runs it: the compare-and-set script (`script`,
 * and `auto` while the server allows scripts), or WATCH transactions (`watch`, and `auto` from
 * the first refusal of scripting on), one at a time per kind hash.
 */
export class CompareAndSet {
  private strategy: UpsertStrategy;
  private readonly watchQueue = new SerialQueue();

  constructor(private readonly context: CompareAndSetContext) {
    this.strategy = context.strategy;
  }

  /**
   * Applies `write` when its version is newer, announcing it on the change channel in the same
   * atomic step. A user refused the announcement gets a `permission` error naming the rule.
   */
  apply(kind: DataKind, write: CasWrite): Promise<UpsertResult> {
    return this.compareAndSet(kind, write).catch((error: unknown) => {
      throw withPublishRule(error, 'upsert', write.channel);
    });
  }

  private async compareAndSet(kind: DataKind, write: CasWrite): Promise<UpsertResult> {
    let outcome: CasOutcome | undefined;
    if (this.strategy !== 'watch') {
      outcome = await this.script(write);
      if (outcome.status === 'scripts-unavailable') {
        if (this.strategy === 'script') throw this.error(outcome.error);
        // Scripting is refused to this user or disabled on this server: WATCH from now on.
        this.strategy = 'watch';
      }
    }
    if (outcome === undefined || outcome.status === 'scripts-unavailable') {
      outcome = await this.watch(kind, write);
    }
    if (outcome.status === 'applied' && outcome.shortfall !== undefined) throw outcome.shortfall;
    return this.result(kind, write.key, outcome);
  }

  /** The compare-and-set script, followed by WAIT on a dedicated connection when durable. */
  private script(write: CasWrite): Promise<CasOutcome> {
    const { connection, durable, pools, watched } = this.context;
    if (durable === undefined) return watched(scriptUpsert(connection, write));
    const targets = {
      pool: (address?: string) =>
        address === undefined
          ? this.context.pool(write.hashKey, 'upsert')
          : Promise.resolve(pools.forAddress(address)),
    };
    return watched(
      durableScriptUpsert(durable, targets, write).catch((error: unknown) => {
        throw this.error(error);
      }),
    );
  }

  private watch(kind: DataKind, write: CasWrite): Promise<CasOutcome> {
    const { mode, maxAttempts, hook, durable } = this.context;
    return this.watchQueue.run(write.hashKey, () =>
      retryRedirections(mode, async () =>
        watchUpsert({
          pool: await this.context.pool(write.hashKey, 'upsert'),
          maxAttempts,
          hook,
          kind,
          ...write,
          durable,
        }),
      ),
    );
  }

  private result(kind: DataKind, key: string, outcome: CasOutcome): UpsertResult {
    switch (outcome.status) {
      case 'applied':
        return { applied: true };
      case 'rejected': {
        const current = parseStoredString(outcome.current);
        if (current === undefined) throw new StowageSerializationError(kind.namespace, [key]);
        return { applied: false, current };
      }
      case 'corrupt':
        throw new StowageSerializationError(kind.namespace, [key]);
      case 'scripts-unavailable':
        throw this.error(outcome.error);
    }
  }

  private error(error: unknown) {
    return toStowageError(error, {
      operation: 'upsert',
      effect: 'write',
      secrets: this.context.secrets,
    });
  }
}
