import { Redis } from 'ioredis';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';

/** Where and how to connect; `tls` PEM strings switch the connection to TLS. */
export interface RespTarget {
  readonly host: string;
  readonly port: number;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly tls?: { readonly ca: string; readonly cert?: string; readonly key?: string } | undefined;
}

/** One argument of a command; numbers are sent in decimal. */
export type RespArgument = string | number | Buffer;

/** A reply as the harness reads it: strings come back as Buffers (keys may be binary). */
export type RespValue = number | Buffer | null | Error | RespValue[];

/**
 * The harness's own connection for readiness checks and cluster administration: one ioredis
 * client that never reconnects, never queues and never retries, so that every probe says at once
 * whether the server answered. Replies come back raw (bulk strings as Buffers: keys must survive
 * MIGRATE untouched), over RESP2, as `redis-cli` would see them.
 */
export class RespConnection {
  private constructor(
    private readonly client: Redis,
    private readonly lastError: () => unknown,
  ) {}

  /** Connects (and authenticates when the target has a password); bounded by `timeoutMs`. */
  static async open(target: RespTarget, timeoutMs = 2_000): Promise<RespConnection> {
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
    return new RespConnection(client, () => lastError);
  }

  /** Sends one command and resolves with its reply; an error reply rejects with `REPLY_ERROR`. */
  async call(...args: RespArgument[]): Promise<RespValue> {
    const [name, ...rest] = args;
    try {
      return (await this.client.callBuffer(String(name), ...rest)) as RespValue;
    } catch (error) {
      throw harnessError(error, String(name), this.lastError());
    }
  }

  /** Closes the connection; pending calls reject. */
  close(): void {
    this.client.disconnect();
  }
}

/**
 * Opens a connection, runs one command, closes. Convenient for polling, where a fresh connection
 * per probe avoids reusing a socket that a restarting server has just cut.
 */
export async function sendCommand(
  target: RespTarget,
  args: readonly RespArgument[],
  timeoutMs = 2_000,
): Promise<RespValue> {
  const connection = await RespConnection.open(target, timeoutMs);
  try {
    return await connection.call(...args);
  } finally {
    connection.close();
  }
}

/** Like {@link sendCommand} but expects a (bulk or simple) string reply and decodes it as UTF-8. */
export async function sendForText(
  target: RespTarget,
  args: readonly RespArgument[],
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
