import { Command } from 'ioredis';

/**
 * A command whose wire form was built beforehand: ioredis writes it as it is. For the HSETs of a
 * big `init`, encoded item by item in slices that give the event loop a turn, rather than by the
 * client in one go (at 100,000 items of ~500 bytes, ioredis takes about a second to build and
 * write a 50 MB transaction, during which nothing else of the process runs). `keys` are the
 * command's keys only: the client needs them to route the command in a cluster.
 */
export class EncodedCommand extends Command {
  constructor(
    name: string,
    keys: string[],
    private readonly encoded: Buffer,
  ) {
    super(name, keys, { replyEncoding: 'utf8' });
  }

  override toWritable(): Buffer {
    return this.encoded;
  }
}

/** One `HSET hashKey field value ...`, encoded as Redis reads it (RESP), pair by pair. */
export class HsetEncoder {
  private body = '';
  private count = 0;

  constructor(private readonly hashKey: string) {}

  /** Field/value pairs added so far. */
  get pairs(): number {
    return this.count;
  }

  add(field: string, value: string): void {
    this.body += `$${Buffer.byteLength(field)}\r\n${field}\r\n$${Buffer.byteLength(value)}\r\n${value}\r\n`;
    this.count += 1;
  }

  /** The encoded command (for an {@link EncodedCommand}); the encoder starts over empty. */
  take(): Buffer {
    const { hashKey } = this;
    const head = `*${2 + 2 * this.count}\r\n$4\r\nHSET\r\n$${Buffer.byteLength(hashKey)}\r\n${hashKey}\r\n`;
    const encoded = Buffer.from(head + this.body);
    this.body = '';
    this.count = 0;
    return encoded;
  }
}
