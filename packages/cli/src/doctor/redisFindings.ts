import { type RedisAccess, type RedisDriverOptions, redisAccess } from '@stowage/redis';
import type { Target } from '../target.js';
import { transportFinding } from './addressRule.js';
import { clusterFindings } from './clusterFindings.js';
import { connectClient } from './connectClient.js';
import { type Finding, finding } from './Finding.js';
import { latencyFinding } from './latencyFinding.js';
import type { RedisClient } from './primaryNodes.js';
import { rightsFindings } from './rightsFindings.js';
import { sentinelFindings } from './sentinelFindings.js';
import { serverFindings } from './serverFindings.js';
import { tlsFinding } from './tlsFinding.js';
import { versionFinding } from './versionFinding.js';

/** The flags of `stowage doctor` the Redis checks use. */
export interface RedisCheckFlags {
  /** A user that may run what the app's user usually may not (`CONFIG GET`, `INFO`). */
  readonly adminUrl?: string | undefined;
  /** Round trips for the latency check (1-1000, default 20). */
  readonly samples?: string | undefined;
}

/** The Redis checks: transport, TLS, version, latency, rights, server settings, topology. */
export async function redisFindings(
  target: Target,
  access: RedisAccess,
  flags: RedisCheckFlags,
): Promise<Finding[]> {
  const findings: Finding[] = [
    transportFinding(
      access.endpoints.map(({ host }) => host),
      access.hasPassword,
      access.tls,
    ),
  ];
  const app = access.createClient();
  let admin: RedisClient | undefined;
  try {
    await connectClient(app, access, 'the app connection');
    if (flags.adminUrl !== undefined) {
      const adminAccess = redisAccess({
        url: flags.adminUrl,
        prefix: target.config.prefix,
        ...(access.mode === 'cluster' && !flags.adminUrl.includes('://')
          ? { mode: 'cluster' as const }
          : {}),
      });
      admin = adminAccess.createClient();
      await connectClient(admin, adminAccess, 'the --admin-url connection');
    }
    const samples = Math.min(Math.max(Number(flags.samples ?? 20) || 20, 1), 1000);
    // Each group on its own: one that fails (a slot without a node, a refused command) is
    // reported and the others still run.
    for (const [name, check] of checkGroups(target, access, app, admin, samples)) {
      try {
        findings.push(...[await check()].flat());
      } catch (error) {
        findings.push(finding(name, 'error', (error as Error).message));
      }
    }
  } catch (error) {
    findings.push(finding('redis', 'error', (error as Error).message));
  } finally {
    app.disconnect();
    admin?.disconnect();
  }
  return findings;
}

/** The checks over open connections, by the name a failing group is reported under. */
function checkGroups(
  target: Target,
  access: RedisAccess,
  app: RedisClient,
  admin: RedisClient | undefined,
  samples: number,
): Array<[string, () => Promise<Finding | Finding[]>]> {
  const options = target.config.driverOptions as RedisDriverOptions;
  return [
    ['tls', async () => (access.tls ? tlsFinding(app) : [])],
    ['version', () => versionFinding(app, admin)],
    ['latency', () => latencyFinding(app, `${access.effectivePrefix}:$inited`, samples)],
    ['rights', () => rightsFindings(app, access, options.upsertStrategy ?? 'auto')],
    ['server', () => serverFindings(admin, options.waitForReplicas?.replicas)],
    ['sentinel', async () => (access.mode === 'sentinel' ? sentinelFindings(access) : [])],
    ['cluster', async () => (access.mode === 'cluster' ? clusterFindings(app, admin, access) : [])],
  ];
}
