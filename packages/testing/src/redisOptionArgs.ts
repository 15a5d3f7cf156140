import type { TestCertificateFiles } from './createTestCertificates.js';
import type { RedisUser } from './RedisServer.js';

/** What a data node serves, wherever it runs (a process here, or inside a container). */
export interface RedisOptionSpec {
  readonly port: number;
  readonly password?: string | undefined;
  readonly users?: readonly RedisUser[] | undefined;
  /** Paths of the certificate files as the server sees them; TLS is on when given. */
  readonly tlsFiles?: Pick<TestCertificateFiles, 'ca' | 'cert' | 'key'> | undefined;
  readonly tls?: { readonly authClients: boolean } | undefined;
  readonly args?: readonly string[] | undefined;
}

/** Flags for nothing persisted, the port, TLS, passwords, ACL users, then the caller's arguments. */
export function redisOptionArgs(spec: RedisOptionSpec): string[] {
  const args = [
    '--save',
    '',
    '--appendonly',
    'no',
    // Replicas (sentinel groups, clusters) sync without touching the disk and without delay.
    '--repl-diskless-sync',
    'yes',
    '--repl-diskless-sync-delay',
    '0',
  ];
  if (spec.tlsFiles === undefined) {
    args.push('--port', String(spec.port));
  } else {
    const files = spec.tlsFiles;
    args.push(
      '--port',
      '0',
      '--tls-port',
      String(spec.port),
      '--tls-cert-file',
      files.cert,
      '--tls-key-file',
      files.key,
      '--tls-ca-cert-file',
      files.ca,
      '--tls-auth-clients',
      spec.tls?.authClients === true ? 'yes' : 'no',
      '--tls-replication',
      'yes',
    );
  }
  if (spec.password !== undefined) {
    // masterauth on every node, the primary included: after a failover it must resync as a replica.
    args.push('--requirepass', spec.password, '--masterauth', spec.password);
  }
  for (const user of spec.users ?? []) {
    const password = user.password === undefined ? [] : ['on', `>${user.password}`];
    args.push('--user', user.name, ...password, ...(user.rules ?? []));
  }
  args.push(...(spec.args ?? []));
  return args;
}
