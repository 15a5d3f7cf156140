import type { TestCertificates } from './createTestCertificates.js';

/** What goes into one sentinel's config file. */
export interface SentinelConfigInput {
  readonly port: number;
  readonly dir: string;
  /** Log file; none (standard output) when undefined. */
  readonly logFile?: string | undefined;
  readonly pidFile?: string | undefined;
  /** Address to listen on. Default `127.0.0.1`. */
  readonly bind?: string | undefined;
  /** Address the sentinel gives the others for itself (`sentinel announce-ip`). */
  readonly announceIp?: string | undefined;
  readonly masterName: string;
  readonly primaryPort: number;
  readonly quorum: number;
  readonly password?: string | undefined;
  readonly sentinelPassword?: string | undefined;
  readonly tls?:
    | { readonly certificates: TestCertificates; readonly authClients: boolean }
    | undefined;
}

/** Quotes a config value the way Redis's config parser (sdssplitargs) reads it back. */
function quoteConfigValue(value: string): string {
  return `"${value.replace(/[\\"]/g, (char) => `\\${char}`).replace(/\n/g, '\\n')}"`;
}

/**
 * The text of a sentinel config file. Written afresh before every start: sentinels rewrite their
 * file with what they learn (replicas, other sentinels, epochs), and a stale file would carry that
 * into the next run.
 */
export function sentinelConfig(input: SentinelConfigInput): string {
  const q = quoteConfigValue;
  const name = q(input.masterName);
  const lines = [`bind ${input.bind ?? '127.0.0.1'}`, 'daemonize no', `dir ${q(input.dir)}`];
  if (input.logFile !== undefined) lines.push(`logfile ${q(input.logFile)}`);
  if (input.pidFile !== undefined) lines.push(`pidfile ${q(input.pidFile)}`);
  if (input.announceIp !== undefined) lines.push(`sentinel announce-ip ${input.announceIp}`);
  if (input.tls === undefined) {
    lines.push(`port ${input.port}`);
  } else {
    const { files } = input.tls.certificates;
    lines.push(
      'port 0',
      `tls-port ${input.port}`,
      `tls-cert-file ${q(files.cert)}`,
      `tls-key-file ${q(files.key)}`,
      `tls-ca-cert-file ${q(files.ca)}`,
      `tls-auth-clients ${input.tls.authClients ? 'yes' : 'no'}`,
      // Sentinels use this for their own links to data nodes and to each other.
      'tls-replication yes',
    );
  }
  // With requirepass set, a sentinel also presents this password to the other sentinels.
  if (input.sentinelPassword !== undefined) lines.push(`requirepass ${q(input.sentinelPassword)}`);
  // An IP, not "localhost": a hostname here would need `sentinel resolve-hostnames yes`.
  lines.push(
    `sentinel monitor ${name} 127.0.0.1 ${input.primaryPort} ${input.quorum}`,
    `sentinel down-after-milliseconds ${name} 1000`,
    `sentinel failover-timeout ${name} 3000`,
    `sentinel parallel-syncs ${name} 2`,
  );
  // Without auth-pass a password-protected primary is marked down at once.
  if (input.password !== undefined) lines.push(`sentinel auth-pass ${name} ${q(input.password)}`);
  return `${lines.join('\n')}\n`;
}
