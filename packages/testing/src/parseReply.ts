import { HarnessError, HarnessErrorCode } from './HarnessError.js';

/** A decoded RESP2 reply. Error replies nested in arrays stay in place as HarnessErrors. */
export type RespValue = string | number | Buffer | null | HarnessError | RespValue[];

/** A decoded reply and the offset just past it. */
export interface ParsedReply {
  readonly value: RespValue;
  readonly end: number;
}

/**
 * Decodes one RESP2 reply starting at `start`, or returns undefined when the buffer does not hold a
 * complete reply yet (the caller waits for more data and tries again).
 */
export function parseReply(buffer: Buffer, start: number): ParsedReply | undefined {
  const lineEnd = buffer.indexOf('\r\n', start);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buffer[start]!);
  const line = buffer.toString('utf8', start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: replyError(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { value: buffer.subarray(next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: RespValue[] = [];
      let offset = next;
      for (let i = 0; i < count; i += 1) {
        const item = parseReply(buffer, offset);
        if (item === undefined) return undefined;
        items.push(item.value);
        offset = item.end;
      }
      return { value: items, end: offset };
    }
    default:
      throw new HarnessError(
        HarnessErrorCode.ConnectionFailed,
        `Unexpected RESP type byte ${JSON.stringify(type)}: is this port a Redis server?`,
      );
  }
}

function replyError(line: string): HarnessError {
  const code = line.split(' ', 1)[0] ?? 'ERR';
  return new HarnessError(HarnessErrorCode.ReplyError, line, { replyCode: code });
}
