import type { TLSSocket } from 'node:tls';
import type { RedisAccess } from '@stowage/redis';
import type { Cluster, Redis } from 'ioredis';
import { type Finding, finding } from './Finding.js';

type Client = Redis | Cluster;

/** Bounds a promise by `ms`: a server that stops answering must not hang the doctor. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The reply code of a Redis error reply (`NOPERM`, `NOSCRIPT`, ...), if it is one. */
const replyCode = (error: unknown): string | undefined =>
  /^([A-Z]+)\b/.exec((error as Error | undefined)?.message ?? '')?.[1];

const isRefused = (error: unknown) => replyCode(error) === 'NOPERM';

/** Parses INFO text into its fields. */
function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

async function configGet(client: Redis, name: string): Promise<string | undefined> {
  const reply = (await client.call('CONFIG', 'GET', name)) as string[];
  return reply[1];
}

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

/** The clients of a deployment's data nodes: the one server, or a cluster's primaries. */
function primaries(client: Client): Redis[] {
  return 'nodes' in client &&
    typeof (client as Cluster).nodes === 'function' &&
    (client as Cluster).isCluster
    ? (client as Cluster).nodes('master')
    : [client as Redis];
}

/** Days until the certificate the server presented expires. */
export function tlsFinding(client: Client): Finding {
  const [node] = primaries(client);
  const socket = (node as unknown as { stream?: TLSSocket } | undefined)?.stream;
  const certificate = socket?.getPeerCertificate?.();
  if (certificate === undefined || certificate.valid_to === undefined) {
    return finding('tls', 'unknown', 'the server certificate could not be read');
  }
  const expires = new Date(certificate.valid_to);
  const days = Math.floor((expires.getTime() - Date.now()) / 86_400_000);
  const detail = `server certificate expires in ${days} days (${expires.toISOString().slice(0, 10)})`;
  if (days < 0) return finding('tls', 'error', detail, 'renew the server certificate');
  if (days < 14) return finding('tls', 'warning', detail, 'renew the server certificate soon');
  return finding('tls', 'ok', detail);
}

/** Server version: INFO server, from the app's user, else from the admin connection. */
export async function versionFinding(app: Client, admin: Client | undefined): Promise<Finding> {
  for (const client of [app, admin]) {
    if (client === undefined) continue;
    try {
      const info = parseInfo(await primaries(client)[0]!.info('server'));
      const version = info.get('redis_version') ?? 'unknown';
      const mode = info.get('redis_mode');
      return finding('version', 'ok', `Redis ${version}${mode === undefined ? '' : ` (${mode})`}`);
    } catch (error) {
      if (!isRefused(error)) throw error;
    }
  }
  return finding(
    'version',
    'unknown',
    "the app's user may not run INFO",
    'give --admin-url to check it',
  );
}

/** p50/p99 of a few PINGs (EXISTS of the marker when PING is refused to the user). */
export async function latencyFinding(
  client: Client,
  marker: string,
  samples: number,
): Promise<Finding> {
  const node = primaries(client)[0]!;
  let probe = () => node.ping() as Promise<unknown>;
  try {
    await probe();
  } catch (error) {
    if (!isRefused(error)) throw error;
    probe = () => client.exists(marker);
  }
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    await probe();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const p50 = percentile(times, 50);
  const p99 = percentile(times, 99);
  const detail = `${samples} round trips: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`;
  return p99 > 100
    ? finding(
        'latency',
        'warning',
        detail,
        'every uncached read pays this: move the app closer to Redis, or raise the cache TTL',
      )
    : finding('latency', 'ok', detail);
}

/** One probe: a command the driver needs, sent so that it changes nothing. */
interface Probe {
  readonly command: string;
  /** The rule that grants it. */
  readonly rule: string;
  run(client: Client): Promise<unknown>;
}

const UNKNOWN_SHA = '0000000000000000000000000000000000000000';

/**
 * The app user's rights, probed with harmless commands on keys under the prefix (the probe key
 * `P:$doctor` is not a valid kind name, so no reader ever sees it): NOPERM means refused,
 * anything else (including NOSCRIPT for an unknown script) means allowed.
 */
export async function rightsFindings(
  client: Client,
  access: RedisAccess,
  upsertStrategy: string,
): Promise<Finding[]> {
  const base = access.effectivePrefix;
  const marker = `${base}:$inited`;
  const probeKey = `${base}:$doctor`;
  const probes = {
    read: [
      { command: 'EXISTS', rule: '+exists', run: (c) => c.exists(marker) },
      { command: 'HGET', rule: '+hget', run: (c) => c.hget(probeKey, 'f') },
      { command: 'HGETALL', rule: '+hgetall', run: (c) => c.hgetall(probeKey) },
    ],
    write: [
      { command: 'HSET', rule: '+hset', run: async (c) => c.hset(probeKey, 'f', '') },
      { command: 'DEL', rule: '+del', run: (c) => c.del(probeKey) },
      // XX: sets only an existing marker, to the value it always has.
      { command: 'SET', rule: '+set', run: (c) => c.set(marker, '', 'XX') },
      { command: 'MULTI', rule: '+multi +exec', run: (c) => c.multi().exec() },
    ],
    script: [
      {
        command: 'EVALSHA',
        rule: '+evalsha',
        run: (c) => c.evalsha(UNKNOWN_SHA, 1, probeKey),
      },
      { command: 'EVAL', rule: '+eval', run: (c) => c.eval('return 0', 1, probeKey) },
    ],
    watch: [
      {
        command: 'WATCH',
        rule: '+watch +unwatch',
        run: async (c) => {
          const node = primaries(c)[0]!;
          await node.watch(probeKey);
          return node.unwatch();
        },
      },
    ],
    tools: [
      {
        command: 'SCAN',
        rule: '+scan',
        run: (c) => primaries(c)[0]!.scan('0', 'MATCH', `${base}:*`, 'COUNT', 1),
      },
    ],
  } satisfies Record<string, Probe[]>;

  // Any reply but NOPERM means the ACL let the command through (NOSCRIPT, OOM on a full server,
  // EXECABORT...); a failure without a reply (the connection) is not an answer and is thrown.
  const refused = async (list: ReadonlyArray<Probe>) => {
    const missing: Probe[] = [];
    for (const probe of list) {
      try {
        await probe.run(client);
      } catch (error) {
        const code = replyCode(error);
        const previous = String((error as { previousErrors?: unknown }).previousErrors ?? '');
        if (code === 'NOPERM' || previous.includes('NOPERM')) missing.push(probe);
        else if (code === undefined || (error as Error).name !== 'ReplyError') throw error;
      }
    }
    return missing;
  };
  const user = access.username ?? 'default';
  const grant = (missing: ReadonlyArray<Probe>) =>
    `ACL SETUSER ${user} ${missing.map((probe) => probe.rule).join(' ')} (keys ~${base}:*)`;
  const names = (missing: ReadonlyArray<Probe>) => missing.map((probe) => probe.command).join(', ');

  const findings: Finding[] = [];
  const read = await refused(probes.read);
  findings.push(
    read.length === 0
      ? finding('rights: read', 'ok', `${user} may run EXISTS, HGET, HGETALL on ${base}:*`)
      : finding(
          'rights: read',
          'error',
          `${user} may not run ${names(read)} on ${base}:*: every read fails`,
          grant(read),
        ),
  );
  const write = await refused(probes.write);
  findings.push(
    write.length === 0
      ? finding('rights: write', 'ok', `${user} may run HSET, DEL, SET, MULTI/EXEC on ${base}:*`)
      : finding(
          'rights: write',
          'error',
          `${user} may not run ${names(write)} on ${base}:*: init fails (a read-only app needs only the read rights)`,
          grant(write),
        ),
  );
  const [script, watch] = [await refused(probes.script), await refused(probes.watch)];
  const scriptOk = script.length === 0;
  const watchOk = watch.length === 0;
  const upsertOk =
    upsertStrategy === 'script'
      ? scriptOk
      : upsertStrategy === 'watch'
        ? watchOk
        : scriptOk || watchOk;
  const how = scriptOk
    ? 'the compare-and-set script (EVALSHA, EVAL)'
    : watchOk
      ? 'WATCH/MULTI/EXEC'
      : 'neither the script nor WATCH';
  findings.push(
    upsertOk
      ? finding('rights: upsert', 'ok', `upserts use ${how} (upsertStrategy ${upsertStrategy})`)
      : finding(
          'rights: upsert',
          'error',
          `upsertStrategy ${upsertStrategy} needs ${upsertStrategy === 'watch' ? 'WATCH' : upsertStrategy === 'script' ? 'EVALSHA and EVAL' : 'EVALSHA and EVAL, or WATCH'}; ${user} may not run ${names([...script, ...watch])}`,
          grant(upsertStrategy === 'watch' ? watch : script),
        ),
  );
  const tools = await refused(probes.tools);
  findings.push(
    tools.length === 0
      ? finding(
          'rights: tools',
          'ok',
          `${user} may run SCAN (stowage inspect/export/copy list kinds with it)`,
        )
      : finding(
          'rights: tools',
          'unknown',
          `${user} may not run SCAN: stowage commands need --kinds a,b (the app itself never sends SCAN)`,
          grant(tools),
        ),
  );
  return findings;
}

/** maxmemory-policy, memory use, persistence and replication, from the admin connection. */
export async function serverFindings(
  admin: Client | undefined,
  /** `waitForReplicas.replicas`: a count, or 'attached' (every replica, at least one). */
  replicasWanted: number | 'attached' | undefined,
): Promise<Finding[]> {
  const needsAdmin = (check: string, what: string) =>
    finding(
      check,
      'unknown',
      `needs ${what}, which the app's user is not expected to have`,
      'give --admin-url (a user with +config|get +info) to check it',
    );
  if (admin === undefined) {
    return [
      needsAdmin('eviction', 'CONFIG GET maxmemory-policy'),
      needsAdmin('persistence', 'CONFIG GET save/appendonly'),
      needsAdmin('replication', 'INFO replication'),
    ];
  }
  const findings: Finding[] = [];
  for (const node of primaries(admin)) {
    const where = primaries(admin).length > 1 ? ` (${node.options.host}:${node.options.port})` : '';
    const policy = (await configGet(node, 'maxmemory-policy')) ?? 'unknown';
    const maxmemory = Number((await configGet(node, 'maxmemory')) ?? 0);
    const memory = parseInfo(await node.info('memory'));
    const used = Number(memory.get('used_memory') ?? 0);
    const mb = (bytes: number) =>
      bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${bytes} bytes`;
    if (policy.startsWith('allkeys-')) {
      findings.push(
        finding(
          `eviction${where}`,
          'error',
          `maxmemory-policy ${policy} can evict the store's keys without a word once memory is full`,
          'CONFIG SET maxmemory-policy noeviction (or volatile-*: the store sets no TTLs)',
        ),
      );
    } else if (policy === 'noeviction' && maxmemory > 0 && used >= maxmemory * 0.9) {
      findings.push(
        finding(
          `eviction${where}`,
          'warning',
          `maxmemory-policy noeviction and memory is full (${mb(used)} used of ${mb(maxmemory)}): writes are refused`,
          'raise maxmemory or free memory',
        ),
      );
    } else {
      findings.push(
        finding(
          `eviction${where}`,
          'ok',
          `maxmemory-policy ${policy}, ${mb(used)} used${maxmemory > 0 ? ` of ${mb(maxmemory)}` : ', no maxmemory'}`,
        ),
      );
    }
    const save = (await configGet(node, 'save')) ?? '';
    const aof = (await configGet(node, 'appendonly')) ?? 'no';
    findings.push(
      save.trim() === '' && aof !== 'yes'
        ? finding(
            `persistence${where}`,
            'warning',
            'neither RDB snapshots nor AOF: a restart empties the store',
            'CONFIG SET appendonly yes (or a save schedule), and CONFIG REWRITE',
          )
        : finding(
            `persistence${where}`,
            'ok',
            [
              aof === 'yes' ? 'AOF' : undefined,
              save.trim() === '' ? undefined : `RDB (save ${save})`,
            ]
              .filter(Boolean)
              .join(', '),
          ),
    );
    const replication = parseInfo(await node.info('replication'));
    const replicas = Number(replication.get('connected_slaves') ?? 0);
    const minReplicas = Number((await configGet(node, 'min-replicas-to-write')) ?? 0);
    const detail = `role ${replication.get('role') ?? '?'}, ${replicas} connected replicas, min-replicas-to-write ${minReplicas}`;
    const wanted = replicasWanted === 'attached' ? 1 : replicasWanted;
    if (wanted !== undefined && replicas < wanted) {
      findings.push(
        finding(
          `replication${where}`,
          'error',
          `${detail}: waitForReplicas wants ${replicasWanted === 'attached' ? 'every attached replica, at least one' : replicasWanted}, so every write fails durability-not-confirmed`,
          'add replicas or lower waitForReplicas.replicas',
        ),
      );
    } else if (minReplicas > replicas) {
      findings.push(
        finding(
          `replication${where}`,
          'error',
          `${detail}: the primary refuses every write`,
          'bring replicas back or lower min-replicas-to-write',
        ),
      );
    } else {
      findings.push(finding(`replication${where}`, 'ok', detail));
    }
  }
  return findings;
}

/** Sentinel: every sentinel's quorum check and the primary each one names. */
export async function sentinelFindings(access: RedisAccess): Promise<Finding[]> {
  const findings: Finding[] = [];
  const primariesNamed = new Set<string>();
  for (const address of access.endpoints) {
    const sentinel = access.createSentinelClient(address);
    sentinel.on('error', () => {});
    const where = `${address.host}:${address.port}`;
    try {
      await within(sentinel.connect(), access.connectTimeoutMs, where);
      const quorum = String(
        await within(
          sentinel.call('SENTINEL', 'CKQUORUM', access.masterName ?? ''),
          access.commandTimeoutMs,
          where,
        ),
      );
      const primary = (await sentinel.call(
        'SENTINEL',
        'GET-MASTER-ADDR-BY-NAME',
        access.masterName ?? '',
      )) as string[] | null;
      if (primary !== null) primariesNamed.add(primary.join(':'));
      findings.push(
        finding(
          `sentinel ${where}`,
          'ok',
          `${quorum.replace(/^OK\s*/, '')}; primary ${primary?.join(':') ?? 'unknown'}`,
        ),
      );
    } catch (error) {
      findings.push(
        finding(
          `sentinel ${where}`,
          'error',
          (error as Error).message,
          'check the sentinel, its quorum and the master name',
        ),
      );
    } finally {
      sentinel.disconnect();
    }
  }
  if (primariesNamed.size > 1) {
    findings.push(
      finding(
        'sentinel primary',
        'error',
        `the sentinels disagree on the primary: ${[...primariesNamed].join(', ')}`,
        'wait for the failover to settle, or check the sentinels',
      ),
    );
  }
  return findings;
}

/** Cluster: state, slot coverage, and the shard that holds the store's slot. */
export async function clusterFindings(
  app: Client,
  admin: Client | undefined,
  access: RedisAccess,
): Promise<Finding[]> {
  let info: Map<string, string> | undefined;
  let slots: Array<[number, number, ...Array<[string, number, string?]>]> | undefined;
  for (const client of [app, admin]) {
    if (client === undefined || info !== undefined) continue;
    try {
      const node = primaries(client)[0]!;
      info = parseInfo(String(await node.call('CLUSTER', 'INFO')));
      slots = (await node.call('CLUSTER', 'SLOTS')) as typeof slots;
    } catch (error) {
      if (!isRefused(error)) throw error;
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
