import type { RedisAccess } from '@stowage/redis';
import { type Finding, finding } from './Finding.js';
import { primaryNodes, type RedisClient } from './primaryNodes.js';
import { replyCode } from './replyCode.js';

/** One probe: a command the driver needs, sent so that it changes nothing. */
interface Probe {
  readonly command: string;
  /** The rule that grants it. */
  readonly rule: string;
  run(client: RedisClient): Promise<unknown>;
}

/** A script no server holds: EVALSHA of it answers NOSCRIPT, unless the ACL refuses it first. */
const UNKNOWN_SHA = '0000000000000000000000000000000000000000';

/**
 * The app user's rights, probed with harmless commands on keys under the prefix (the probe key
 * `P:$doctor` is not a valid kind name, so no reader ever sees it): NOPERM means refused,
 * anything else (including NOSCRIPT for an unknown script) means allowed.
 */
export async function rightsFindings(
  client: RedisClient,
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
          const node = primaryNodes(c)[0]!;
          await node.watch(probeKey);
          return node.unwatch();
        },
      },
    ],
    // An empty message announces nothing (the feed skips it); on a node that does not serve the
    // channel's slot the reply is MOVED, which the ACL check comes before: allowed either way.
    publish: [
      {
        command: 'SPUBLISH',
        rule: access.feedRules.publish,
        run: (c) => primaryNodes(c)[0]!.spublish(access.changeChannel, ''),
      },
    ],
    subscribe: [
      {
        command: 'SSUBSCRIBE',
        rule: access.feedRules.subscribe,
        run: async (c) => {
          // A connection of its own: a subscribed one takes no other command.
          const probe = primaryNodes(c)[0]!.duplicate();
          try {
            // The driver's client policy: lazy, and no queue before the connection is up.
            if (probe.status === 'wait') await probe.connect();
            return await probe.ssubscribe(access.changeChannel);
          } finally {
            probe.disconnect();
          }
        },
      },
    ],
    tools: [
      {
        command: 'SCAN',
        rule: '+scan',
        run: (c) => primaryNodes(c)[0]!.scan('0', 'MATCH', `${base}:*`, 'COUNT', 1),
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
  const [publish, subscribe] = [await refused(probes.publish), await refused(probes.subscribe)];
  const channel = access.changeChannel;
  findings.push(
    publish.length + subscribe.length === 0
      ? finding(
          'rights: feed',
          'ok',
          `${user} may announce writes on ${channel} (SPUBLISH) and follow them (SSUBSCRIBE)`,
        )
      : finding(
          'rights: feed',
          'error',
          [
            publish.length > 0 ? `${user} may not SPUBLISH on ${channel}: every write fails` : '',
            subscribe.length > 0
              ? `${user} may not SSUBSCRIBE to ${channel}: a store following the feed fails every call (or set feed off)`
              : '',
          ]
            .filter(Boolean)
            .join('; '),
          grant([...publish, ...subscribe]),
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
