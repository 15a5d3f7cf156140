import type { TestCertificates } from './createTestCertificates.js';
import type { RedisEndpoint } from './RedisEndpoint.js';

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
