import { join } from 'node:path';
import type { TestCertificateFiles, TestCertificates } from './createTestCertificates.js';
import { findRedisBinaries } from './findRedisBinaries.js';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';
import { releasePorts } from './portPool.js';
import type { RedisEndpoint } from './RedisEndpoint.js';
import { RedisProcess } from './RedisProcess.js';
import type { RespTarget } from './RespConnection.js';
import { runRedisCli } from './runRedisCli.js';
import { removeWorkDir } from './workDir.js';

/** An ACL user created at start-up with `--user`. */
export interface RedisUser {
  /** User name. */
  readonly name: string;
  /** Password; becomes the rules `on` and `>password` ahead of {@link RedisUser.rules}. */
  readonly password?: string;
  /**
   * ACL rules, one word each, e.g. `['~app:*', '+@all', '-@dangerous']` (a single string holding
   * several words makes the server refuse to start).
   */
  readonly rules?: readonly string[];
}

/** A running (or stopped) redis-server started by this package. */
export interface RedisServer extends RedisEndpoint {
  /** Always `127.0.0.1`: servers bind IPv4 loopback only. */
  readonly host: string;
  /** The client port (the TLS port when TLS is on; the plain port is then disabled). */
  readonly port: number;
  /** `redis://127.0.0.1:PORT` or `rediss://...` with TLS; never contains credentials. */
  readonly url: string;
  /** The default user's password (`requirepass`), if any. */
  readonly password: string | undefined;
  /** Certificates when TLS is on: trust `ca`; present `clientCert`/`clientKey` for mutual TLS. */
  readonly tls: TestCertificates | undefined;
  /** Pid of the current process (changes on restart). */
  readonly pid: number;
  /** True while the process runs (also while paused). */
  readonly running: boolean;
  /** The server's working folder (logs, pidfile, cluster config); removed by stop(). */
  readonly dir: string;
  /** Kills the process, removes its folder and frees its ports. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL only (a crash): folder and port stay reserved, so restart() can bring it back. */
  kill(): Promise<void>;
  /** SIGSTOP: the server holds its connections but answers nothing, like a network partition. */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Kills the process if it runs and starts it again on the same port with the same arguments. */
  restart(): Promise<void>;
  /** Runs redis-cli as the default user (password and TLS flags filled in); resolves with stdout. */
  redisCli(...args: string[]): Promise<string>;
  /** Runs redis-cli as one of the ACL users given at start. */
  redisCliAs(username: string, ...args: string[]): Promise<string>;
  /** The last lines of the server log, for assertion messages. */
  logTail(lines?: number): string;
}

/** Internal description of one data node; built by the topology functions. */
export interface ServerSpec {
  readonly name: string;
  readonly port: number;
  readonly dir: string;
  readonly password?: string | undefined;
  readonly users?: readonly RedisUser[] | undefined;
  readonly tls?:
    | { readonly certificates: TestCertificates; readonly authClients: boolean }
    | undefined;
  readonly args?: readonly string[] | undefined;
  /** Ports released to the pool on stop (the client port and e.g. a cluster bus port). */
  readonly ports: readonly number[];
  /** Folders removed on stop (the node's own folder, or the topology's root for a lone server). */
  readonly ownedDirs: readonly string[];
  readonly startTimeoutMs: number;
}

/** The throwaway-server flags shared by every data node and the auth/TLS flags of `spec`. */
export function serverArgs(spec: ServerSpec): string[] {
  return [
    '--bind',
    '127.0.0.1',
    '--dir',
    spec.dir,
    '--logfile',
    join(spec.dir, 'redis.log'),
    '--pidfile',
    join(spec.dir, 'redis.pid'),
    '--daemonize',
    'no',
    ...redisOptionArgs({ ...spec, tlsFiles: spec.tls?.certificates.files }),
  ];
}

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

/** Starts a data node from `spec` and returns its handle; on failure nothing is left behind. */
export async function launchRedisServer(spec: ServerSpec): Promise<RedisServer> {
  const { server, serverArgv0 } = findRedisBinaries();
  const host = '127.0.0.1';
  const tls = spec.tls?.certificates;
  const instance = new RedisProcess({
    name: `${spec.name} ${host}:${spec.port}`,
    command: server,
    argv0: serverArgv0,
    args: serverArgs(spec),
    dir: spec.dir,
    logFile: join(spec.dir, 'redis.log'),
    pidFile: join(spec.dir, 'redis.pid'),
    target: { host, port: spec.port, password: spec.password, tls: clientTls(tls) },
    startTimeoutMs: spec.startTimeoutMs,
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await instance.kill();
    await Promise.all(spec.ownedDirs.map(removeWorkDir));
    releasePorts(spec.ports);
  };
  try {
    await instance.start();
  } catch (error) {
    await stop();
    throw error;
  }
  const cliAs = redisCliAs({
    host,
    port: spec.port,
    password: spec.password,
    users: spec.users,
    tls,
  });
  return {
    host,
    port: spec.port,
    url: `${tls === undefined ? 'redis' : 'rediss'}://${host}:${spec.port}`,
    password: spec.password,
    tls,
    get pid() {
      return instance.pid;
    },
    get running() {
      return instance.running;
    },
    dir: spec.dir,
    stop,
    kill: () => instance.kill(),
    pause: () => instance.pause(),
    resume: () => instance.resume(),
    async restart() {
      if (stopped) {
        throw new HarnessError(HarnessErrorCode.InvalidOptions, `${spec.name} was stopped`);
      }
      await instance.kill();
      await instance.start();
    },
    redisCli: (...args) => cliAs(undefined, args),
    redisCliAs: (username, ...args) => cliAs(username, args),
    logTail: (lines) => instance.logTail(lines),
  };
}

/** The TLS options for harness-internal connections: trust the CA, present the client cert. */
export function clientTls(
  certificates: TestCertificates | undefined,
): { ca: string; cert: string; key: string } | undefined {
  return certificates === undefined
    ? undefined
    : { ca: certificates.ca, cert: certificates.clientCert, key: certificates.clientKey };
}

/** The harness-internal connection settings of a data node (default user). */
export function targetOf(node: RedisServer): RespTarget {
  return { host: node.host, port: node.port, password: node.password, tls: clientTls(node.tls) };
}

/** Who a server's redisCli/redisCliAs connect to: the default user, or one of its ACL users. */
export interface RedisCliAccount {
  readonly host: string;
  readonly port: number;
  readonly password: string | undefined;
  readonly users: readonly RedisUser[] | undefined;
  readonly tls: TestCertificates | undefined;
}

/** `redisCli`/`redisCliAs` of a handle: undefined runs as the default user, a name as that user. */
export function redisCliAs(
  account: RedisCliAccount,
): (username: string | undefined, args: string[]) => Promise<string> {
  return (username, args) => {
    const user = account.users?.find((candidate) => candidate.name === username);
    if (username !== undefined && user === undefined) {
      throw new HarnessError(HarnessErrorCode.InvalidOptions, `No ACL user named ${username}`);
    }
    return runRedisCli(
      {
        host: account.host,
        port: account.port,
        username,
        password: user === undefined ? account.password : user.password,
        tls: account.tls,
      },
      args,
    );
  };
}
