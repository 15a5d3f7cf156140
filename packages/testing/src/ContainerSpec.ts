import type { ContainerEngine } from './containerEngine.js';
import type { TestCertificates } from './createTestCertificates.js';
import type { RedisUser } from './RedisServer.js';

/** A file put into a container before it starts (certificates, a sentinel's config). */
export interface ContainerFile {
  readonly content: string;
  readonly target: string;
  readonly mode: number;
}

/** Everything needed to run (and re-run) one Redis container; built by the start functions. */
export interface ContainerSpec {
  readonly engine: ContainerEngine;
  readonly image: string;
  /** For messages, e.g. "redis container 127.0.0.1:17003". */
  readonly name: string;
  /** The leased host port, published on 127.0.0.1. */
  readonly port: number;
  /** The port Redis listens on inside the container. */
  readonly containerPort: number;
  /** The container's command: `redis-server ARGS`. */
  readonly command: readonly string[];
  readonly files: readonly ContainerFile[];
  /** The host folder (log copy, certificates). */
  readonly dir: string;
  readonly password: string | undefined;
  readonly users: readonly RedisUser[] | undefined;
  readonly certificates: TestCertificates | undefined;
  readonly memoryLimitMb: number | undefined;
  readonly startTimeoutMs: number;
  /** Gives the folder and ports back; on stop, or when the start fails. */
  readonly release: () => Promise<void>;
  /** Runs after every start and restart, once Redis answers (a topology's network rules). */
  readonly afterStart?: () => Promise<void>;
  /** The log line that means started. Default: Redis's "Ready to accept connections". */
  readonly readyLog?: RegExp | undefined;
}

/**
 * The command of a data node in a container: every interface of the container (it is reached
 * through the engine's published port, never directly), protected mode off (an explicit command
 * turns it back on), data in /data, then `args`.
 */
export function containerServerCommand(args: readonly string[]): string[] {
  return ['redis-server', '--bind', '0.0.0.0', '--protected-mode', 'no', '--dir', '/data', ...args];
}
