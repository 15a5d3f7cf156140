import { connectionFindings } from '../doctor/connectionFindings.js';
import { type Finding, finding, type Status } from '../doctor/Finding.js';
import { postgresFindings } from '../doctor/postgresFindings.js';
import { type RedisCheckFlags, redisFindings } from '../doctor/redisFindings.js';
import { storeFindings } from '../doctor/storeFindings.js';
import { ExitCode } from '../exitCodes.js';
import { mark, type Output, table } from '../output.js';
import type { Target } from '../target.js';
import { withStore } from './withStore.js';

/** The flags of `stowage doctor`. */
export interface DoctorFlags extends RedisCheckFlags {
  /** The kinds to count, for a user that may not SCAN. */
  readonly kinds?: string | undefined;
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
    const driver =
      target.redis !== undefined
        ? await redisFindings(target, target.redis, flags)
        : target.postgres !== undefined
          ? await postgresFindings(store, target.postgres)
          : [];
    let stored: Finding[];
    try {
      stored = await storeFindings(store, flags.kinds);
    } catch (error) {
      stored = [finding('store', 'error', (error as Error).message)];
    }
    return [...connection.findings, ...driver, ...stored];
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
