import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ConnectionTarget,
  HarnessConnection,
  sendCommand,
  sendForText,
  targetOf,
} from './HarnessConnection.js';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';
import { parseClusterNodes } from './parseClusterNodes.js';
import type { MigrateSlotOptions, SlotMigration } from './RedisCluster.js';
import type { RedisServer } from './RedisServer.js';
import { waitFor } from './waitFor.js';

/** The nodes involved in one slot migration. */
export interface SlotMigrationNodes {
  readonly source: RedisServer;
  readonly destination: RedisServer;
  /** Every node of the cluster; the running ones must agree on the new owner at the end. */
  readonly all: readonly RedisServer[];
}

/**
 * Moves `slot` with its keys the way `redis-cli --cluster reshard` does, one slot at a time, so that
 * tests can exercise ASK/MOVED handling under load. See `RedisCluster.migrateSlot`.
 */
export async function migrateSlot(
  slot: number,
  nodes: SlotMigrationNodes,
  options: MigrateSlotOptions = {},
): Promise<SlotMigration> {
  const { source, destination } = nodes;
  const batchSize = options.batchSize ?? 100;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  if (!Number.isInteger(slot) || slot < 0 || slot >= 16_384 || source === destination) {
    throw new HarnessError(
      HarnessErrorCode.InvalidOptions,
      `Cannot migrate slot ${slot} from ${source.port} to ${destination.port}`,
    );
  }
  const [sourceId, destinationId] = await Promise.all(
    [source, destination].map((node) => sendForText(targetOf(node), ['CLUSTER', 'MYID'])),
  );
  // IMPORTING first: once the source says MIGRATING, clients are sent to the destination with ASK,
  // which must already accept them.
  await sendCommand(targetOf(destination), ['CLUSTER', 'SETSLOT', slot, 'IMPORTING', sourceId!]);
  await sendCommand(targetOf(source), ['CLUSTER', 'SETSLOT', slot, 'MIGRATING', destinationId!]);

  let keysMoved = 0;
  let batches = 0;
  const auth = source.password === undefined ? [] : ['AUTH', source.password];
  const connection = await HarnessConnection.open(targetOf(source), 10_000);
  try {
    for (;;) {
      if (Date.now() > deadline) {
        throw new HarnessError(
          HarnessErrorCode.Timeout,
          `Migrating slot ${slot} took longer than ${timeoutMs} ms (${keysMoved} keys moved)`,
        );
      }
      const keys = await connection.call('CLUSTER', 'GETKEYSINSLOT', slot, batchSize);
      if (!Array.isArray(keys) || keys.length === 0) break;
      const names = keys.filter((key): key is Buffer => Buffer.isBuffer(key));
      // MIGRATE reaches the destination on its client port (TLS when tls-cluster is on).
      await connection.call(
        'MIGRATE',
        destination.host,
        destination.port,
        '',
        0,
        5_000,
        ...auth,
        'KEYS',
        ...names,
      );
      keysMoved += names.length;
      batches += 1;
      if (options.pauseBetweenBatchesMs) await sleep(options.pauseBetweenBatchesMs);
    }
  } finally {
    connection.close();
  }

  // The destination first (it bumps its config epoch, so its claim wins in gossip), then the
  // source, then every other primary so none of them answers MOVED with the old owner.
  await sendCommand(targetOf(destination), ['CLUSTER', 'SETSLOT', slot, 'NODE', destinationId!]);
  await sendCommand(targetOf(source), ['CLUSTER', 'SETSLOT', slot, 'NODE', destinationId!]);
  const topology = parseClusterNodes(
    await sendForText(targetOf(destination), ['CLUSTER', 'NODES']),
  );
  const others = nodes.all.filter((node) => {
    const entry = topology.find((candidate) => candidate.port === node.port);
    return node.running && node !== source && node !== destination && entry?.isHealthyPrimary;
  });
  await Promise.all(
    others.map((node) =>
      sendCommand(targetOf(node), ['CLUSTER', 'SETSLOT', slot, 'NODE', destinationId!]),
    ),
  );

  await waitFor(
    `every node to see slot ${slot} on ${destination.port}`,
    async () => {
      for (const node of nodes.all.filter((candidate) => candidate.running)) {
        if ((await slotOwnerPort(targetOf(node), slot)) !== destination.port) return undefined;
      }
      return true;
    },
    { timeoutMs: Math.max(1_000, deadline - Date.now()), intervalMs: 50 },
  );
  return { keysMoved, batches };
}

/** The port of the node that `target` believes serves `slot`, per its `CLUSTER NODES`. */
export async function slotOwnerPort(
  target: ConnectionTarget,
  slot: number,
): Promise<number | undefined> {
  const entries = parseClusterNodes(await sendForText(target, ['CLUSTER', 'NODES']));
  const owner = entries.find(
    (entry) =>
      entry.flags.includes('master') &&
      entry.slots.some(([from, to]) => slot >= from && slot <= to),
  );
  return owner?.port;
}
