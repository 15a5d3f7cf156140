import { Redis } from 'ioredis';
import type { TestCertificates } from './createTestCertificates.js';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';
import type { RedisServer } from './RedisServer.js';

/** Where and how to connect; `tls` PEM strings switch the connection to TLS. */
export interface ConnectionTarget {
  readonly host: string;
  readonly port: number;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly tls?: { readonly ca: string; readonly cert?: string; readonly key?: string } | undefined;
}

/** One argument of a command; numbers are sent in decimal. */
export type CommandArgument = string | number | Buffer;

/** A reply as the harness reads it: strings come back as Buffers (keys may be binary). */
export type RawReply = number | Buffer | null | Error | RawReply[];

/**
 * The harness's own connection for readiness checks and cluster administration: one ioredis
 * client that never reconnects, never queues and never retries, so that every probe says at once
 * whether the server answered. Replies come back raw (bulk strings as Buffers: keys must survive
 * MIGRATE untouched), over RESP2, as `redis-cli` would see them.
 */
export class HarnessConnection {
  private constructor(
    private readonly client: Redis,
    private readonly lastError: () => unknown,
  ) {}

  /** Connects (and authenticates when the target has a password); bounded by `timeoutMs`. */
  static async open(target: ConnectionTarget, timeoutMs = 2_000): Promise<HarnessConnection> {
    const client = new Redis({
      host: target.host,
      port: target.port,
      ...(target.username === undefined ? {} : { username: target.username }),
      ...(target.password === undefined ? {} : { password: target.password }),
      ...(target.tls === undefined ? {} : { tls: { ...target.tls } }),
      protocol: 2,
      lazyConnect: true,
      enableReadyCheck: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: () => null,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      disableClientInfo: true,
      disconnectTimeout: 50,
    });
    let lastError: unknown;
    // The reason a connection failed (a refused AUTH, a TLS error) arrives as an event.
    client.on('error', (error: unknown) => {
      lastError = error;
    });
    try {
      await client.connect();
    } catch (error) {
      client.disconnect();
      throw harnessError(lastError ?? error, `connect to ${target.host}:${target.port}`);
    }
    return new HarnessConnection(client, () => lastError);
  }

  /** Sends one command and resolves with its reply; an error reply rejects with `REPLY_ERROR`. */
  async call(...args: CommandArgument[]): Promise<RawReply> {
    const [name, ...rest] = args;
    try {
      return (await this.client.callBuffer(String(name), ...rest)) as RawReply;
    } catch (error) {
      throw harnessError(error, String(name), this.lastError());
    }
  }

  /** Closes the connection; pending calls reject. */
  close(): void {
    this.client.disconnect();
  }
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
export function targetOf(node: RedisServer): ConnectionTarget {
  return { host: node.host, port: node.port, password: node.password, tls: clientTls(node.tls) };
}

/**
 * Opens a connection, runs one command, closes. Convenient for polling, where a fresh connection
 * per probe avoids reusing a socket that a restarting server has just cut.
 */
export async function sendCommand(
  target: ConnectionTarget,
  args: readonly CommandArgument[],
  timeoutMs = 2_000,
): Promise<RawReply> {
  const connection = await HarnessConnection.open(target, timeoutMs);
  try {
    return await connection.call(...args);
  } finally {
    connection.close();
  }
}

/** Like {@link sendCommand} but expects a (bulk or simple) string reply and decodes it as UTF-8. */
export async function sendForText(
  target: ConnectionTarget,
  args: readonly CommandArgument[],
  timeoutMs = 2_000,
): Promise<string> {
  const reply = await sendCommand(target, args, timeoutMs);
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  throw new HarnessError(
    HarnessErrorCode.CommandFailed,
    `${String(args[0])} answered ${JSON.stringify(reply)}, expected a string`,
  );
}

/** The harness's error for a failure of ioredis: a reply error, a timeout, or no connection. */
function harnessError(error: unknown, what: string, connectionError?: unknown): HarnessError {
  if (HarnessError.is(error)) return error;
  const { name, message } = error as { name?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  if (name === 'ReplyError') {
    const replyCode = /^([A-Z][A-Z_]*)\b/.exec(text)?.[1];
    return new HarnessError(HarnessErrorCode.ReplyError, text, {
      cause: error,
      ...(replyCode === undefined ? {} : { replyCode }),
    });
  }
  if (/timed out|ETIMEDOUT/i.test(text)) {
    return new HarnessError(HarnessErrorCode.Timeout, `${what} got no reply in time (${text})`, {
      cause: error,
    });
  }
  const reason = connectionError instanceof Error ? connectionError.message : text;
  return new HarnessError(HarnessErrorCode.ConnectionFailed, `${what}: ${reason}`, {
    cause: error,
  });
}
