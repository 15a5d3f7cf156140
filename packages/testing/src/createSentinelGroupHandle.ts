import type { TestCertificates } from './createTestCertificates.js';
import { type ConnectionTarget, sendCommand, sendForText, targetOf } from './HarnessConnection.js';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';
import { parseInfo } from './parseInfo.js';
import type { RedisEndpoint } from './RedisEndpoint.js';
import type { RedisServer } from './RedisServer.js';
import { runRedisCli } from './runRedisCli.js';
import type { SentinelGroup } from './SentinelGroup.js';
import { waitFor } from './waitFor.js';

/** What the handle of a started group is built from. */
export interface SentinelGroupHandleInput {
  readonly name: string;
  readonly nodes: readonly RedisServer[];
  readonly sentinelTargets: readonly ConnectionTarget[];
  readonly password: string | undefined;
  readonly sentinelPassword: string | undefined;
  readonly certificates: TestCertificates | undefined;
  readonly stop: () => Promise<void>;
}

/**
 * The methods of a running {@link SentinelGroup}: they ask the sentinels (not the harness's own
 * bookkeeping) who the primary is, because roles move on failover.
 */
export function createSentinelGroupHandle(input: SentinelGroupHandleInput): SentinelGroup {
  const { name, nodes, sentinelTargets } = input;
  const nodeAt = (port: number): RedisServer => {
    const node = nodes.find((candidate) => candidate.port === port);
    if (node === undefined) {
      throw new HarnessError(HarnessErrorCode.CommandFailed, `Sentinels name unknown node ${port}`);
    }
    return node;
  };
  const askPrimaryPort = async (target: ConnectionTarget): Promise<number> => {
    const reply = await sendCommand(target, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name]);
    const port = Array.isArray(reply) ? Number(String(reply[1])) : Number.NaN;
    if (!Number.isInteger(port)) {
      throw new HarnessError(HarnessErrorCode.CommandFailed, `Sentinel does not know ${name}`);
    }
    return port;
  };
  const primary = async (): Promise<RedisServer> => {
    let lastError: unknown;
    for (const target of sentinelTargets) {
      try {
        return nodeAt(await askPrimaryPort(target));
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  };

  return {
    name,
    sentinels: sentinelTargets.map(({ host, port }): RedisEndpoint => ({ host, port })),
    nodes,
    password: input.password,
    sentinelPassword: input.sentinelPassword,
    tls: input.certificates,
    primary,
    async waitForQuorum(timeoutMs = 10_000) {
      await waitFor(
        `the sentinels of ${name} to reach quorum`,
        async () => {
          for (const target of sentinelTargets) {
            await sendCommand(target, ['SENTINEL', 'CKQUORUM', name]);
            const master = await sendCommand(target, ['SENTINEL', 'MASTER', name]);
            const fields = Array.isArray(master) ? master.map(String) : [];
            const field = (key: string) => fields[fields.indexOf(key) + 1];
            if (field('num-slaves') !== String(nodes.length - 1)) return undefined;
            if (field('num-other-sentinels') !== String(sentinelTargets.length - 1))
              return undefined;
          }
          return true;
        },
        { timeoutMs, intervalMs: 100 },
      );
    },
    async failover() {
      const old = await primary();
      // NOGOODSLAVE/INPROG can show up briefly right after start or after a previous failover.
      await waitFor(
        `SENTINEL FAILOVER ${name} to be accepted`,
        async () => {
          await sendCommand(sentinelTargets[0]!, ['SENTINEL', 'FAILOVER', name]);
          return true;
        },
        { timeoutMs: 5_000, intervalMs: 100 },
      );
      return old;
    },
    async waitForNewPrimary(oldPort, timeoutMs = 15_000) {
      return waitFor(
        `the sentinels of ${name} to agree on a primary other than ${oldPort}`,
        async () => {
          const answers = await Promise.allSettled(sentinelTargets.map(askPrimaryPort));
          const ports = answers.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
          const candidate = ports[0];
          if (candidate === undefined || candidate === oldPort) return undefined;
          if (ports.some((port) => port !== candidate)) return undefined;
          const node = nodeAt(candidate);
          const info = parseInfo(await sendForText(targetOf(node), ['INFO', 'replication']));
          return info.get('role') === 'master' ? node : undefined;
        },
        { timeoutMs, intervalMs: 50 },
      );
    },
    async killPrimary() {
      const node = await primary();
      await node.kill();
      return node;
    },
    async pausePrimary() {
      const node = await primary();
      node.pause();
      return node;
    },
    resumeAll() {
      for (const node of nodes) if (node.running) node.resume();
    },
    sentinelCli: (...args) => {
      const { host, port } = sentinelTargets[0]!;
      return runRedisCli(
        { host, port, password: input.sentinelPassword, tls: input.certificates },
        args,
      );
    },
    stop: input.stop,
  };
}
