import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';
import { parseReply, type RespValue } from './parseReply.js';

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

interface Pending {
  readonly resolve: (value: RespValue) => void;
  readonly reject: (error: Error) => void;
}

/**
 * A deliberately tiny RESP2 client used by the harness itself for readiness checks and cluster
 * administration, so that the package needs no Redis driver. Replies come back in order; bulk
 * strings are Buffers (keys may be binary and must survive MIGRATE untouched).
 */
export class RespConnection {
  readonly #socket: Socket;
  readonly #pending: Pending[] = [];
  readonly #timeoutMs: number;
  #buffer: Buffer = Buffer.alloc(0);
  #failure: Error | undefined;

  private constructor(socket: Socket, timeoutMs: number) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (error) => this.#fail(connectionError(error)));
    socket.on('close', () => this.#fail(connectionError(new Error('connection closed'))));
  }

  /** Connects (and authenticates when the target has a password); bounded by `timeoutMs`. */
  static async open(target: RespTarget, timeoutMs = 2_000): Promise<RespConnection> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const options = { host: target.host, port: target.port, timeout: timeoutMs };
      const socket =
        target.tls === undefined
          ? connectTcp(options, () => resolve(socket))
          : connectTls({ ...options, ...target.tls }, () => resolve(socket));
      socket.once('error', (error) => reject(connectionError(error)));
      socket.once('timeout', () => {
        socket.destroy();
        reject(new HarnessError(HarnessErrorCode.Timeout, `connect to ${where(target)} timed out`));
      });
    });
    socket.setTimeout(0);
    const connection = new RespConnection(socket, timeoutMs);
    if (target.password !== undefined) {
      const auth = target.username === undefined ? [] : [target.username];
      try {
        await connection.call('AUTH', ...auth, target.password);
      } catch (error) {
        connection.close();
        throw error;
      }
    }
    return connection;
  }

  /** Sends one command and resolves with its reply; an error reply rejects with `REPLY_ERROR`. */
  call(...args: RespArgument[]): Promise<RespValue> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(
          new HarnessError(
            HarnessErrorCode.Timeout,
            `${String(args[0])} got no reply within ${this.#timeoutMs} ms`,
          ),
        );
      }, this.#timeoutMs);
      this.#pending.push({
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#socket.write(encodeCommand(args));
    });
  }

  /** Closes the connection; pending calls reject. */
  close(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      let parsed: ReturnType<typeof parseReply>;
      try {
        parsed = parseReply(this.#buffer, 0);
      } catch (error) {
        this.#fail(error as Error);
        return;
      }
      if (parsed === undefined) return;
      this.#buffer = this.#buffer.subarray(parsed.end);
      const pending = this.#pending.shift();
      if (pending === undefined) continue;
      if (parsed.value instanceof Error) pending.reject(parsed.value);
      else pending.resolve(parsed.value);
    }
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#socket.destroy();
    for (const pending of this.#pending.splice(0)) pending.reject(this.#failure);
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
  if (typeof reply === 'string') return reply;
  throw new HarnessError(
    HarnessErrorCode.CommandFailed,
    `${String(args[0])} answered ${JSON.stringify(reply)}, expected a string`,
  );
}

function encodeCommand(args: readonly RespArgument[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg), 'utf8');
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

function where(target: RespTarget): string {
  return `${target.host}:${target.port}`;
}

function connectionError(error: Error): HarnessError {
  return HarnessError.is(error)
    ? error
    : new HarnessError(HarnessErrorCode.ConnectionFailed, error.message, { cause: error });
}
