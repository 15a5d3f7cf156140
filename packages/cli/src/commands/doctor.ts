import { type PersistentDataStore, StoreErrorCode, StowageError } from '@stowage/core';
import { type RedisAccess, type RedisDriverOptions, redisAccess } from '@stowage/redis';
import type { Cluster, Redis } from 'ioredis';
import { transportFinding } from '../doctor/addressRule.js';
import { type Finding, finding, type Status } from '../doctor/Finding.js';
import {
  clusterFindings,
  latencyFinding,
  rightsFindings,
  sentinelFindings,
  serverFindings,
  tlsFinding,
  versionFinding,
  within,
} from '../doctor/redisChecks.js';
import { ExitCode } from '../exitCodes.js';
import { mark, type Output, table } from '../output.js';
import { readKind } from '../records.js';
import { kindsOf, parseKindsFlag, type Target } from '../target.js';
import { withStore } from './common.js';

export interface DoctorFlags {
  readonly adminUrl?: string | undefined;
  readonly kinds?: string | undefined;
  readonly samples?: string | undefined;
}

/** Connects as the app would: the driver's own first operation, with its typed errors. */
async function connectionFindings(
  store: PersistentDataStore,
  target: Target,
): Promise<{ findings: Finding[]; connected: boolean }> {
  const start = performance.now();
  try {
    await store.isInitialized();
    const ms = (performance.now() - start).toFixed(0);
    return {
      connected: true,
      findings: [
        finding('reachability', 'ok', `connected and answered in ${ms} ms`),
        finding(
          'auth',
          'ok',
          target.redis?.hasPassword === false ? 'no password needed' : 'credentials accepted',
        ),
      ],
    };
  } catch (error) {
    if (!StowageError.is(error)) throw error;
    // Without a connection (address, credentials, TLS, set-up) nothing else can be checked; a
    // refusal or a failing store (a cluster slot without a node) leaves the other checks to run.
    const stops: Record<string, string> = {
      [StoreErrorCode.Connection]: 'reachability',
      [StoreErrorCode.Timeout]: 'reachability',
      [StoreErrorCode.Auth]: 'auth',
      [StoreErrorCode.Tls]: 'tls',
      [StoreErrorCode.Config]: 'connection set-up',
    };
    let stop = stops[error.code];
    // In a cluster the servers may answer while the store's slot has no node (CLUSTERDOWN),
    // which the driver reports as unreachable: the other checks can still run.
    if (
      stop === 'reachability' &&
      target.redis?.mode === 'cluster' &&
      (await answers(target.redis))
    ) {
      stop = undefined;
    }
    if (stop === undefined) {
      const check = error.code === StoreErrorCode.Permission ? 'rights: read' : 'store';
      return {
        connected: true,
        findings: [
          finding('reachability', 'ok', 'the server answered'),
          finding(check, 'error', error.message),
        ],
      };
    }
    return {
      connected: false,
      findings: [
        ...(stop === 'auth' || stop === 'connection set-up'
          ? [finding('reachability', 'ok', 'the server answered')]
          : []),
        finding(
          stop,
          'error',
          error.message,
          stop === 'reachability' ? 'check the address, the port and the firewall' : undefined,
        ),
      ],
    };
  }
}

/** True when a plain connection to the deployment can be made. */
async function answers(access: RedisAccess): Promise<boolean> {
  const client = access.createClient();
  try {
    await connect(client, access, 'the deployment');
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** The store itself: the marker, its kinds, item and tombstone counts, unreadable values. */
async function storeFindings(
  store: PersistentDataStore,
  kindsFlag: string | undefined,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const initialized = await store.isInitialized();
  findings.push(
    initialized
      ? finding('store', 'ok', 'initialized')
      : finding(
          'store',
          'warning',
          'not initialized: apps that wait for an initialized store will wait',
          'run the app that initializes it, or stowage import --replace',
        ),
  );
  let kinds: Awaited<ReturnType<typeof kindsOf>>;
  try {
    kinds = await kindsOf(store, parseKindsFlag(kindsFlag));
  } catch (error) {
    findings.push(
      finding('kinds', 'unknown', (error as Error).message, 'name the kinds with --kinds a,b'),
    );
    return findings;
  }
  if (kinds.length === 0)
    findings.push(finding('kinds', initialized ? 'ok' : 'warning', 'no kinds hold items'));
  for (const kind of kinds) {
    const { records, bad } = await readKind(store, kind, true);
    const tombstones = records.filter((record) => record.deleted).length;
    const counts = `${records.length - tombstones} items, ${tombstones} tombstones`;
    findings.push(
      bad.length === 0
        ? finding(`kind ${kind.namespace}`, 'ok', counts)
        : finding(
            `kind ${kind.namespace}`,
            'error',
            `${counts}, ${bad.length} unreadable values (keys ${bad
              .slice(0, 3)
              .map((key) => JSON.stringify(key))
              .join(', ')}): reads of the kind fail`,
            'fix or delete those values; stowage export --skip-bad saves the rest',
          ),
    );
  }
  return findings;
}

async function connect(client: Redis | Cluster, access: RedisAccess, what: string): Promise<void> {
  client.on('error', () => {});
  await within(client.connect(), access.connectTimeoutMs * 2, what);
}

/** The Redis checks: transport, TLS, version, latency, rights, server settings, topology. */
async function redisFindings(
  target: Target,
  access: RedisAccess,
  flags: DoctorFlags,
): Promise<Finding[]> {
  const options = target.config.driverOptions as RedisDriverOptions;
  const findings: Finding[] = [
    transportFinding(
      access.endpoints.map(({ host }) => host),
      access.hasPassword,
      access.tls,
    ),
  ];
  const app = access.createClient();
  let admin: Redis | Cluster | undefined;
  try {
    await connect(app, access, 'the app connection');
    if (flags.adminUrl !== undefined) {
      const adminAccess = redisAccess({
        url: flags.adminUrl,
        prefix: target.config.prefix,
        ...(access.mode === 'cluster' && !flags.adminUrl.includes('://')
          ? { mode: 'cluster' as const }
          : {}),
      });
      admin = adminAccess.createClient();
      await connect(admin, adminAccess, 'the --admin-url connection');
    }
    // Each group on its own: one that fails (a slot without a node, a refused command) is
    // reported and the others still run.
    const app_ = app;
    const admin_ = admin;
    const samples = Math.min(Math.max(Number(flags.samples ?? 20) || 20, 1), 1000);
    const groups: Array<[string, () => Promise<Finding | Finding[]>]> = [
      ['tls', async () => (access.tls ? tlsFinding(app_) : [])],
      ['version', () => versionFinding(app_, admin_)],
      ['latency', () => latencyFinding(app_, `${access.effectivePrefix}:$inited`, samples)],
      ['rights', () => rightsFindings(app_, access, options.upsertStrategy ?? 'auto')],
      ['server', () => serverFindings(admin_, options.waitForReplicas?.replicas)],
      ['sentinel', async () => (access.mode === 'sentinel' ? sentinelFindings(access) : [])],
      [
        'cluster',
        async () => (access.mode === 'cluster' ? clusterFindings(app_, admin_, access) : []),
      ],
    ];
    for (const [name, check] of groups) {
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

const EXIT: Record<Status, ExitCode> = {
  ok: ExitCode.Ok,
  unknown: ExitCode.Ok,
  warning: ExitCode.Warning,
  error: ExitCode.Error,
};

/** `stowage doctor`: every finding, ok / warning / error / unknown, with what to do. */
export async function doctor(
  target: Target,
  output: Output,
  flags: DoctorFlags,
): Promise<ExitCode> {
  const findings = await withStore(target, async (store) => {
    const connection = await connectionFindings(store, target);
    if (!connection.connected) return connection.findings;
    const redis =
      target.redis === undefined ? [] : await redisFindings(target, target.redis, flags);
    let stored: Finding[];
    try {
      stored = await storeFindings(store, flags.kinds);
    } catch (error) {
      stored = [finding('store', 'error', (error as Error).message)];
    }
    return [...connection.findings, ...redis, ...stored];
  });
  const count = (status: Status) => findings.filter((f) => f.status === status).length;
  const exit = findings.reduce<ExitCode>(
    (worst, f) => Math.max(worst, EXIT[f.status]) as ExitCode,
    ExitCode.Ok,
  );
  const summary = {
    ok: count('ok'),
    warnings: count('warning'),
    errors: count('error'),
    unknown: count('unknown'),
  };
  if (output.json) {
    output.out(JSON.stringify({ store: target.description, findings, summary, exitCode: exit }));
    return exit;
  }
  output.out(`stowage doctor: ${target.description}`);
  const rows: string[][] = [];
  for (const f of findings) {
    rows.push([mark[f.status === 'unknown' ? 'skipped' : f.status], f.check, f.detail]);
    if (f.fix !== undefined) rows.push(['', '', `-> ${f.fix}`]);
  }
  for (const line of table(rows)) output.out(line);
  output.out(
    `${summary.ok} ok, ${summary.warnings} warnings, ${summary.errors} errors, ${summary.unknown} not checked`,
  );
  return exit;
}
