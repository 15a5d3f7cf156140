import type { Redis } from 'ioredis';
import { type Finding, finding } from './Finding.js';
import { parseInfo } from './parseInfo.js';
import { primaryNodes, type RedisClient } from './primaryNodes.js';

/** maxmemory-policy, memory use, persistence and replication, from the admin connection. */
export async function serverFindings(
  admin: RedisClient | undefined,
  /** `waitForReplicas.replicas`: a count, or 'attached' (every replica, at least one). */
  replicasWanted: number | 'attached' | undefined,
): Promise<Finding[]> {
  if (admin === undefined) {
    return [
      needsAdmin('eviction', 'CONFIG GET maxmemory-policy'),
      needsAdmin('persistence', 'CONFIG GET save/appendonly'),
      needsAdmin('replication', 'INFO replication'),
    ];
  }
  const nodes = primaryNodes(admin);
  const findings: Finding[] = [];
  for (const node of nodes) {
    const where = nodes.length > 1 ? ` (${node.options.host}:${node.options.port})` : '';
    findings.push(
      await evictionFinding(node, `eviction${where}`),
      await persistenceFinding(node, `persistence${where}`),
      await replicationFinding(node, `replication${where}`, replicasWanted),
    );
  }
  return findings;
}

function needsAdmin(check: string, what: string): Finding {
  return finding(
    check,
    'unknown',
    `needs ${what}, which the app's user is not expected to have`,
    'give --admin-url (a user with +config|get +info) to check it',
  );
}

/** An eviction policy that may drop the store's keys, or a noeviction server that is full. */
async function evictionFinding(node: Redis, check: string): Promise<Finding> {
  const policy = (await configGet(node, 'maxmemory-policy')) ?? 'unknown';
  const maxmemory = Number((await configGet(node, 'maxmemory')) ?? 0);
  const memory = parseInfo(await node.info('memory'));
  const used = Number(memory.get('used_memory') ?? 0);
  if (policy.startsWith('allkeys-')) {
    return finding(
      check,
      'error',
      `maxmemory-policy ${policy} can evict the store's keys without a word once memory is full`,
      'CONFIG SET maxmemory-policy noeviction (or volatile-*: the store sets no TTLs)',
    );
  }
  if (policy === 'noeviction' && maxmemory > 0 && used >= maxmemory * 0.9) {
    return finding(
      check,
      'warning',
      `maxmemory-policy noeviction and memory is full (${size(used)} used of ${size(maxmemory)}): writes are refused`,
      'raise maxmemory or free memory',
    );
  }
  return finding(
    check,
    'ok',
    `maxmemory-policy ${policy}, ${size(used)} used${maxmemory > 0 ? ` of ${size(maxmemory)}` : ', no maxmemory'}`,
  );
}

/** Neither RDB snapshots nor AOF: a restart empties the store. */
async function persistenceFinding(node: Redis, check: string): Promise<Finding> {
  const save = (await configGet(node, 'save')) ?? '';
  const aof = (await configGet(node, 'appendonly')) ?? 'no';
  if (save.trim() === '' && aof !== 'yes') {
    return finding(
      check,
      'warning',
      'neither RDB snapshots nor AOF: a restart empties the store',
      'CONFIG SET appendonly yes (or a save schedule), and CONFIG REWRITE',
    );
  }
  const kinds = [
    aof === 'yes' ? 'AOF' : undefined,
    save.trim() === '' ? undefined : `RDB (save ${save})`,
  ];
  return finding(check, 'ok', kinds.filter(Boolean).join(', '));
}

/** Too few replicas for `waitForReplicas`, or for the server's own `min-replicas-to-write`. */
async function replicationFinding(
  node: Redis,
  check: string,
  replicasWanted: number | 'attached' | undefined,
): Promise<Finding> {
  const replication = parseInfo(await node.info('replication'));
  const replicas = Number(replication.get('connected_slaves') ?? 0);
  const minReplicas = Number((await configGet(node, 'min-replicas-to-write')) ?? 0);
  const detail = `role ${replication.get('role') ?? '?'}, ${replicas} connected replicas, min-replicas-to-write ${minReplicas}`;
  const wanted = replicasWanted === 'attached' ? 1 : replicasWanted;
  if (wanted !== undefined && replicas < wanted) {
    return finding(
      check,
      'error',
      `${detail}: waitForReplicas wants ${replicasWanted === 'attached' ? 'every attached replica, at least one' : replicasWanted}, so every write fails durability-not-confirmed`,
      'add replicas or lower waitForReplicas.replicas',
    );
  }
  if (minReplicas > replicas) {
    return finding(
      check,
      'error',
      `${detail}: the primary refuses every write`,
      'bring replicas back or lower min-replicas-to-write',
    );
  }
  return finding(check, 'ok', detail);
}

/** One setting by `CONFIG GET`, which answers `[name, value]`. */
async function configGet(node: Redis, name: string): Promise<string | undefined> {
  const reply = (await node.call('CONFIG', 'GET', name)) as string[];
  return reply[1];
}

/** Bytes as a person reads them: MB from one MiB up. */
function size(bytes: number): string {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${bytes} bytes`;
}
