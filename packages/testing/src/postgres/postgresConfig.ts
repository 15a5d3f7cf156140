import type { PostgresTlsOptions } from './PostgresServer.js';

/** What the configuration of one throwaway server depends on. */
export interface PostgresConfigSpec {
  readonly port: number;
  /** Folder of the unix socket: inside the server's own folder, never the system's /run/postgresql. */
  readonly socketDir: string;
  /** Server certificate, key and CA paths when TLS is on. */
  readonly tlsFiles?:
    | { readonly cert: string; readonly key: string; readonly ca: string }
    | undefined;
  readonly tls?: PostgresTlsOptions | undefined;
  /** Extra settings, written last so that they win. */
  readonly settings?: Readonly<Record<string, string | number | boolean>> | undefined;
}

/** A value as a postgresql.conf string literal. */
function literal(value: string | number | boolean): string {
  const text = typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value);
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * Lines appended to the postgresql.conf initdb wrote. Durability is traded for speed (a test
 * server's data does not outlive the test), the server listens on loopback only, and logs go to
 * stderr, which the harness writes to the log file.
 */
export function postgresConfText(spec: PostgresConfigSpec): string {
  const settings: Record<string, string | number | boolean> = {
    listen_addresses: '127.0.0.1',
    port: spec.port,
    unix_socket_directories: spec.socketDir,
    fsync: false,
    synchronous_commit: false,
    full_page_writes: false,
    logging_collector: false,
    log_destination: 'stderr',
    log_line_prefix: '%m [%p] ',
    password_encryption: 'scram-sha-256',
  };
  if (spec.tlsFiles !== undefined) {
    Object.assign(settings, {
      ssl: true,
      ssl_cert_file: spec.tlsFiles.cert,
      ssl_key_file: spec.tlsFiles.key,
      ssl_ca_file: spec.tlsFiles.ca,
    });
  }
  Object.assign(settings, spec.settings);
  const lines = Object.entries(settings).map(([name, value]) => `${name} = ${literal(value)}`);
  return `\n# @stowage/testing\n${lines.join('\n')}\n`;
}

/**
 * pg_hba.conf: the unix socket (private to the server's folder) trusts, TCP on loopback asks for a
 * scram-sha-256 password, over TLS only when it is required (`hostssl`; a plain connection then
 * finds no matching line and is refused), with a client certificate under `authClients`.
 */
export function pgHbaText(spec: PostgresConfigSpec): string {
  const tlsOnly =
    spec.tlsFiles !== undefined && (spec.tls?.required === true || spec.tls?.authClients === true);
  const clientCert = spec.tls?.authClients === true ? ' clientcert=verify-ca' : '';
  const hostType = tlsOnly ? 'hostssl' : 'host';
  return [
    '# TYPE  DATABASE  USER  ADDRESS       METHOD',
    'local   all       all                 trust',
    `${hostType} all all 127.0.0.1/32 scram-sha-256${clientCert}`,
    '',
  ].join('\n');
}
