import type { ReplicaRule } from '../RedisDriverOptions.js';

/** How often the `attached` rule asks a primary (ROLE, along with a write) for its replicas. */
const REFRESH_MS = 500;
/**
 * How long the `attached` rule keeps waiting for a replica that left the primary before it stops
 * counting it. A replica leaves its primary when it dies, but also when Sentinel promotes it: the
 * old primary then still has the other replicas for up to about a second, until Sentinel points
 * them at the new primary, and a write they confirm there is lost with the old primary's data.
 * Holding the old count for longer than that makes the old primary of a failover (graceful, or a
 * frozen primary that resumes) unable to confirm anything.
 */
export const REPLICA_LOSS_HOLD_MS = 5000;
/** A node not written to for this long is met afresh (its replicas are asked again). */
const FORGET_MS = 30_000;

interface NodeReplicas {
  /** Replicas the next WAIT on this node asks for. */
  expected: number;
  /** When fewer replicas than `expected` were first seen attached; undefined while all are. */
  missingSince: number | undefined;
  checkedAt: number;
  usedAt: number;
  refreshDue: boolean;
}

/** What the next WAIT on a node asks for, and whether ROLE goes along to refresh the count. */
export interface WaitPlan {
  readonly replicas: number;
  readonly refresh: boolean;
}

/**
 * How many replicas a durable write waits for on one primary. `replicas: N` is fixed. The
 * `attached` rule waits for every replica the primary has (as its `ROLE` lists them: online
 * replicas only), at least one: a replica that joins counts at once, one that leaves only after
 * {@link REPLICA_LOSS_HOLD_MS}. The counts are kept per node, shared by every connection of a store.
 */
export class ReplicaCount {
  private readonly nodes = new Map<string, NodeReplicas>();

  constructor(private readonly rule: ReplicaRule) {}

  /** True when the count of `node` must be asked for (ROLE) before its first write. */
  needsRole(node: string, now = performance.now()): boolean {
    if (this.rule !== 'attached') return false;
    const entry = this.nodes.get(node);
    return entry === undefined || now - entry.usedAt > FORGET_MS;
  }

  plan(node: string, now = performance.now()): WaitPlan {
    if (this.rule !== 'attached') return { replicas: this.rule, refresh: false };
    const entry = this.nodes.get(node);
    if (entry === undefined) return { replicas: 1, refresh: true };
    entry.usedAt = now;
    const refresh =
      entry.refreshDue || entry.missingSince !== undefined || now - entry.checkedAt >= REFRESH_MS;
    if (refresh) entry.refreshDue = false;
    return { replicas: entry.expected, refresh };
  }

  /** A WAIT on `node` confirmed fewer replicas than it asked for: ask for its replicas again. */
  shortfall(node: string): void {
    const entry = this.nodes.get(node);
    if (entry !== undefined) entry.refreshDue = true;
  }

  /** What ROLE answered on `node`: `['master', offset, [[host, port, offset], ...]]`. */
  observe(node: string, role: unknown, now = performance.now()): void {
    if (this.rule !== 'attached' || !Array.isArray(role) || role[0] !== 'master') return;
    const attached = Array.isArray(role[2]) ? role[2].length : 0;
    const entry = this.nodes.get(node);
    if (entry === undefined || now - entry.usedAt > FORGET_MS) {
      this.nodes.set(node, {
        expected: Math.max(1, attached),
        missingSince: undefined,
        checkedAt: now,
        usedAt: now,
        refreshDue: false,
      });
      return;
    }
    entry.checkedAt = now;
    if (attached >= entry.expected) {
      entry.expected = Math.max(1, attached);
      entry.missingSince = undefined;
      return;
    }
    entry.missingSince ??= now;
    if (now - entry.missingSince >= REPLICA_LOSS_HOLD_MS) {
      entry.expected = Math.max(1, attached);
      entry.missingSince = undefined;
    }
  }
}
