import type { RedisAccess } from '@stowage/redis';
import { type Finding, finding } from './Finding.js';
import { withTimeout } from './withTimeout.js';

/** Sentinel: every sentinel's quorum check and the primary each one names. */
export async function sentinelFindings(access: RedisAccess): Promise<Finding[]> {
  const findings: Finding[] = [];
  const primariesNamed = new Set<string>();
  for (const address of access.endpoints) {
    const sentinel = access.createSentinelClient(address);
    sentinel.on('error', () => {});
    const where = `${address.host}:${address.port}`;
    try {
      await withTimeout(sentinel.connect(), access.connectTimeoutMs, where);
      const quorum = String(
        await withTimeout(
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
