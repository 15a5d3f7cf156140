import { execFile } from 'node:child_process';
import type { TestCertificates } from './createTestCertificates.js';
import { findRedisBinaries } from './findRedisBinaries.js';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';
import type { RedisUser } from './RedisServer.js';

/** Who redis-cli connects to and as whom. */
export interface RedisCliTarget {
  readonly host: string;
  readonly port: number;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly tls?: TestCertificates | undefined;
}

/** The redis-cli flags that reach `target`: host, port, TLS files and user. */
function redisCliConnectionArgs(target: RedisCliTarget): string[] {
  const args = ['-h', target.host, '-p', String(target.port)];
  if (target.tls !== undefined) {
    // The client certificate goes along every time: it is required under mutual TLS and ignored
    // otherwise, so one set of flags fits both server modes.
    const { files } = target.tls;
    args.push('--tls', '--cacert', files.ca, '--cert', files.clientCert, '--key', files.clientKey);
  }
  if (target.username !== undefined) args.push('--user', target.username);
  return args;
}

/** Environment for redis-cli: the password travels in REDISCLI_AUTH, not in `ps`-visible argv. */
function redisCliEnv(target: RedisCliTarget): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.REDISCLI_AUTH;
  if (target.password !== undefined) env.REDISCLI_AUTH = target.password;
  return env;
}

/**
 * Runs redis-cli against `target` and resolves with its standard output, trailing newline removed.
 * Note that redis-cli prints error replies (NOPERM, WRONGPASS...) to standard output and still exits
 * 0, so they come back as text; only a failure to run or connect rejects.
 */
export function runRedisCli(
  target: RedisCliTarget,
  args: readonly string[],
  timeoutMs = 15_000,
): Promise<string> {
  const { cli } = findRedisBinaries();
  return new Promise((resolve, reject) => {
    execFile(
      cli,
      [...redisCliConnectionArgs(target), ...args],
      { env: redisCliEnv(target), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new HarnessError(
              HarnessErrorCode.CommandFailed,
              `redis-cli ${args.join(' ')} against ${target.host}:${target.port} failed: ${
                stderr.trim() || stdout.trim() || error.message
              }`,
              { cause: error },
            ),
          );
          return;
        }
        resolve(stdout.replace(/\r?\n$/, ''));
      },
    );
  });
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
