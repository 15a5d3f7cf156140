import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findExecutable } from './findRedisBinaries.js';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';

const run = promisify(execFile);

/** Runs `command args` inside the network namespace of `pid` (root, nsenter), `input` on stdin. */
export async function runInNetwork(
  pid: number,
  command: string,
  args: readonly string[],
  input?: string,
): Promise<string> {
  const nsenter = findExecutable('nsenter');
  if (nsenter === undefined) {
    throw new HarnessError(
      HarnessErrorCode.BinaryMissing,
      'Network faults need nsenter (Debian: util-linux) and root',
    );
  }
  const child = run(nsenter, [`--net=/proc/${pid}/ns/net`, command, ...args]);
  // A command that reads nothing may exit before its stdin is closed: that EPIPE is no failure.
  child.child.stdin?.on('error', () => {});
  child.child.stdin?.end(input ?? '');
  return (await child).stdout;
}

/** The iptables binary, also where PATH lacks the sbin folders. */
export function iptablesBinary(): string {
  const iptables = findExecutable('iptables', [
    ...(process.env.PATH ?? '').split(':'),
    '/usr/sbin',
    '/sbin',
  ]);
  if (iptables === undefined) {
    throw new HarnessError(
      HarnessErrorCode.BinaryMissing,
      'Network faults need iptables (Debian: apt-get install iptables)',
    );
  }
  return iptables;
}
