import type { RedisAccess } from '@stowage/redis';
import { type Finding, finding } from './Finding.js';
import { parseInfo } from './parseInfo.js';
import { primaryNodes, type RedisClient } from './primaryNodes.js';
import { isAclRefusal } from './replyCode.js';

/** Cluster: state, slot coverage, and the shard that holds the store's slot. */
export async function clusterFindings(
  app: RedisClient,
  admin: RedisClient | undefined,
  access: RedisAccess,
): Promise<Finding[]> {
  let info: Map<string, string> | undefined;
  let slots: Array<[number, number, ...Array<[string, number, string?]>]> | undefined;
  for (const client of [app, admin]) {
    if (client === undefined || info !== undefined) continue;
    try {
      const node = primaryNodes(client)[0]!;
      info = parseInfo(String(await node.call('CLUSTER', 'INFO')));
      slots = (await node.call('CLUSTER', 'SLOTS')) as typeof slots;
    } catch (error) {
      if (!isAclRefusal(error)) throw error;
    }
  }
  if (info === undefined || slots === undefined) {
    return [
      finding(
        'cluster',
        'unknown',
        "the app's user may not run CLUSTER INFO",
        'give --admin-url, or grant +cluster|info',
      ),
    ];
  }
  const findings: Finding[] = [];
  const state = info.get('cluster_state') ?? 'unknown';
  const assigned = Number(info.get('cluster_slots_assigned') ?? 0);
  findings.push(
    state === 'ok'
      ? finding(
          'cluster state',
          'ok',
          `cluster_state ok, ${info.get('cluster_known_nodes') ?? '?'} nodes`,
        )
      : finding(
          'cluster state',
          'error',
          `cluster_state ${state}: the cluster refuses commands`,
          'fix the failed nodes or slot coverage',
        ),
  );
  findings.push(
    assigned === 16384
      ? finding('slot coverage', 'ok', 'all 16384 slots are served')
      : finding(
          'slot coverage',
          'warning',
          `${16384 - assigned} of 16384 slots have no node: keys in them cannot be read or written`,
          'assign the slots (CLUSTER ADDSLOTS, or redis-cli --cluster fix)',
        ),
  );
  const slot = access.storeSlot ?? 0;
  const range = slots.find(([start, end]) => slot >= start && slot <= end);
  if (range === undefined) {
    findings.push(
      finding(
        'store slot',
        'error',
        `slot ${slot}, which holds every key of the store (${access.effectivePrefix}), has no node: every operation fails`,
        `CLUSTER ADDSLOTS ${slot} on a primary, or redis-cli --cluster fix`,
      ),
    );
  } else {
    const [, , primary, ...replicas] = range;
    findings.push(
      finding(
        'store slot',
        'ok',
        `slot ${slot} (${access.effectivePrefix}) on ${primary?.[0]}:${primary?.[1]} with ${replicas.length} replicas`,
      ),
    );
  }
  return findings;
}
