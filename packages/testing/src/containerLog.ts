import { createWriteStream, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';

/**
 * A copy of a container's output in a host file: testcontainers removes a container whose start
 * failed, and its log must still reach the error message.
 */
export interface ContainerLog {
  /** Appends a stream of the container's output to the file. */
  append(stream: Readable): void;
  /** Resolves once the last appended stream has been written out, or after `ms` at most. */
  flushed(ms: number): Promise<void>;
  /** The last lines, headed by the container's name, for error messages. */
  tail(lines?: number): string;
}

/** The log of the container `name`, kept in `file`. */
export function containerLog(name: string, file: string): ContainerLog {
  let written: Promise<void> = Promise.resolve();
  return {
    append(stream) {
      written = new Promise((resolve) => {
        stream.pipe(createWriteStream(file, { flags: 'a' })).once('close', () => resolve());
      });
    },
    async flushed(ms) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        written,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, ms);
        }),
      ]);
      clearTimeout(timer);
    },
    tail(lines = 25) {
      try {
        const text = readFileSync(file, 'utf8').trimEnd();
        return `--- ${name} log (last lines) ---\n${text.split('\n').slice(-lines).join('\n')}`;
      } catch {
        return `(no log output from ${name})`;
      }
    },
  };
}
