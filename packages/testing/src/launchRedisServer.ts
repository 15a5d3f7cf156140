import { join } from 'node:path';
import type { TestCertificates } from './createTestCertificates.js';
import { findRedisBinaries } from './findRedisBinaries.js';
import { clientTls } from './HarnessConnection.js';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';
import { releasePorts } from './portPool.js';
import { RedisProcess } from './RedisProcess.js';
import type { RedisServer, RedisUser } from './RedisServer.js';
import { redisOptionArgs } from './redisOptionArgs.js';
import { redisCliAs } from './runRedisCli.js';
import { removeWorkDir } from './workDir.js';

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
function serverArgs(spec: ServerSpec): string[] {
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
