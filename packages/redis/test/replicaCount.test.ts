import { describe, expect, it } from 'vitest';
import { REPLICA_LOSS_HOLD_MS, ReplicaCount } from '../src/durability/ReplicaCount.js';
import { classifyError, redirectionOf } from '../src/errors/toStowageError.js';

// Pure logic of waitForReplicas, with the clock passed in: no server.

/** ROLE of a primary with `n` online replicas. */
const primaryWith = (n: number) => [
  'master',
  100,
  Array.from({ length: n }, (_, i) => ['127.0.0.1', String(7000 + i), '100']),
];

describe('ReplicaCount', () => {
  it('a fixed count is always that count, and never asks for ROLE', () => {
    const count = new ReplicaCount(2);
    expect(count.needsRole('a:1', 0)).toBe(false);
    count.observe('a:1', primaryWith(1), 0);
    expect(count.plan('a:1', 10_000)).toEqual({ replicas: 2, refresh: false });
  });

  it('attached: every replica the primary has, at least one; a new replica counts at once', () => {
    const count = new ReplicaCount('attached');
    expect(count.needsRole('a:1', 0)).toBe(true);
    count.observe('a:1', primaryWith(0), 0);
    expect(count.needsRole('a:1', 0)).toBe(false);
    expect(count.plan('a:1', 1).replicas).toBe(1);
    count.observe('a:1', primaryWith(2), 2);
    expect(count.plan('a:1', 3).replicas).toBe(2);
  });

  it('attached: a replica that left is waited for during the hold, so a failover cannot lower the count at once', () => {
    const count = new ReplicaCount('attached');
    count.observe('a:1', primaryWith(2), 0);
    // Sentinel promoted one replica: the old primary still has the other one for a while.
    count.observe('a:1', primaryWith(1), 1000);
    expect(count.plan('a:1', 1001)).toEqual({ replicas: 2, refresh: true });
    count.observe('a:1', primaryWith(1), 1000 + REPLICA_LOSS_HOLD_MS - 1);
    expect(count.plan('a:1', 1000 + REPLICA_LOSS_HOLD_MS).replicas).toBe(2);
    count.observe('a:1', primaryWith(1), 1000 + REPLICA_LOSS_HOLD_MS);
    expect(count.plan('a:1', 1001 + REPLICA_LOSS_HOLD_MS).replicas).toBe(1);
    // Never below one, whatever the primary has.
    count.observe('a:1', primaryWith(0), 2000 + 2 * REPLICA_LOSS_HOLD_MS);
    count.observe('a:1', primaryWith(0), 2000 + 3 * REPLICA_LOSS_HOLD_MS);
    expect(count.plan('a:1', 2001 + 3 * REPLICA_LOSS_HOLD_MS).replicas).toBe(1);
  });

  it('attached: a replica back within the hold ends it', () => {
    const count = new ReplicaCount('attached');
    count.observe('a:1', primaryWith(2), 0);
    count.observe('a:1', primaryWith(1), 100);
    count.observe('a:1', primaryWith(2), 200);
    count.observe('a:1', primaryWith(1), 300);
    count.observe('a:1', primaryWith(1), 300 + REPLICA_LOSS_HOLD_MS - 1);
    expect(count.plan('a:1', 300 + REPLICA_LOSS_HOLD_MS).replicas).toBe(2);
  });

  it('attached: counts are per node; a replica answering ROLE changes nothing; a shortfall asks again', () => {
    const count = new ReplicaCount('attached');
    count.observe('a:1', primaryWith(2), 0);
    count.observe('b:2', primaryWith(1), 0);
    count.observe('a:1', ['slave', '127.0.0.1', 1, 'connected', 100], 10);
    expect(count.plan('a:1', 20)).toEqual({ replicas: 2, refresh: false });
    expect(count.plan('b:2', 20).replicas).toBe(1);
    count.shortfall('a:1');
    expect(count.plan('a:1', 30).refresh).toBe(true);
    expect(count.plan('a:1', 40).refresh).toBe(false);
  });
});

describe('replies around a failover', () => {
  const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });

  it('a blocking command cut short by a demotion: unknown for a write, a connection failure for a read', () => {
    const unblocked = reply(
      'UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)',
    );
    expect(classifyError(unblocked, 'write')).toBe('outcome-unknown');
    expect(classifyError(unblocked, 'read')).toBe('connection');
  });

  it('MOVED and ASK name the node to go to', () => {
    expect(redirectionOf(reply('MOVED 3999 127.0.0.1:7002'))).toEqual({
      type: 'moved',
      address: '127.0.0.1:7002',
    });
    expect(redirectionOf(reply('ASK 3999 127.0.0.1:7003'))).toEqual({
      type: 'ask',
      address: '127.0.0.1:7003',
    });
    expect(redirectionOf(reply('READONLY You can not write against a read only replica.'))).toBe(
      undefined,
    );
  });
});
