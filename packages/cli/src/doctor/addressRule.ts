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

/**
 * The transport check: a server off loopback without a password or without TLS is reachable by
 * anyone on its network, or readable on the wire. Vendors' guides recommend both.
 */
export function transportFinding(
  hosts: ReadonlyArray<string>,
  hasPassword: boolean,
  tls: boolean,
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
    `${hasPassword ? '' : 'require a password (requirepass or an ACL user) '}${!hasPassword && !tls ? 'and ' : ''}${tls ? '' : 'turn on TLS (rediss://, ssl=True)'}`.trim(),
  );
}
