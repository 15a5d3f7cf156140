import { isIP } from 'node:net';
import { type Finding, finding } from './Finding.js';

/**
 * True for a host that can only be reached from this machine: `localhost`, 127.0.0.0/8, `::1`,
 * and the IPv4-mapped form of 127.x. Anything else (another address, any other name) may be
 * reachable from a network.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare)?.[1];
  const address = mapped ?? bare;
  if (isIP(address) === 4) return address.startsWith('127.');
  if (isIP(address) === 6) return /^(0{0,4}:){7}0{0,3}1$|^::1$/.test(address);
  return false;
}

/** What to tell the operator to turn on, in the terms of one backend. */
export interface TransportAdvice {
  readonly password: string;
  readonly tls: string;
}

/** Redis's terms (the default). */
export const REDIS_TRANSPORT: TransportAdvice = {
  password: 'require a password (requirepass or an ACL user)',
  tls: 'turn on TLS (rediss://, ssl=True)',
};

/** PostgreSQL's terms. */
export const POSTGRES_TRANSPORT: TransportAdvice = {
  password: 'require a password (scram-sha-256 in pg_hba.conf) or a client certificate',
  tls: 'turn on TLS (sslmode=verify-full, or tls.enabled)',
};

/**
 * The transport check: a server off loopback without a password or without TLS is reachable by
 * anyone on its network, or readable on the wire. Vendors' guides recommend both.
 */
export function transportFinding(
  hosts: ReadonlyArray<string>,
  hasPassword: boolean,
  tls: boolean,
  advice: TransportAdvice = REDIS_TRANSPORT,
): Finding {
  const exposed = hosts.filter((host) => !isLoopbackHost(host));
  if (exposed.length === 0) {
    return finding('transport', 'ok', 'loopback only: a password and TLS are optional here');
  }
  const missing = [hasPassword ? undefined : 'no password', tls ? undefined : 'no TLS'].filter(
    (part) => part !== undefined,
  );
  if (missing.length === 0) return finding('transport', 'ok', 'password and TLS');
  return finding(
    'transport',
    'warning',
    `${missing.join(' and ')} on ${exposed.join(', ')}, which is not a loopback address`,
    [hasPassword ? undefined : advice.password, tls ? undefined : advice.tls]
      .filter((part) => part !== undefined)
      .join(' and '),
  );
}
