import { Command, type Redis } from 'ioredis';

/** What EXEC answered: an error or a reply per command, or null when a WATCH aborted it. */
export type ExecReplies = Array<[Error | null, unknown?]> | null;

const noop = () => {};

/**
 * Sends MULTI, `commands` and EXEC on `node`, each written to the socket as it is, one after the
 * other in one go: nothing another caller sends on the connection can come between them, and
 * nothing is copied into one buffer first, as ioredis's own `multi()` does (for a 50 MB `init`,
 * that copy alone holds the event loop for a quarter of a second on a slow machine). Settles like
 * `multi().exec()`: an EXECABORT carries the refusals of the queued commands as `previousErrors`.
 */
export function sendTransaction(
  node: Redis,
  commands: ReadonlyArray<Command>,
): Promise<ExecReplies> {
  const refusals: unknown[] = [];
  // Corked, the writes reach the socket as one, which takes what fits now and the rest as the
  // server reads it, in later turns; uncorked, a fast reader on the same machine would have every
  // write copied into the kernel right here.
  const stream = node.stream;
  stream?.cork();
  let executed: Promise<unknown[] | null>;
  try {
    (node.sendCommand(new Command('multi')) as Promise<unknown>).catch(noop);
    for (const command of commands) {
      // A refusal while queueing comes before EXEC's answer, which then reports EXECABORT.
      (node.sendCommand(command) as Promise<unknown>).catch((error: unknown) =>
        refusals.push(error),
      );
    }
    executed = node.sendCommand(new Command('exec')) as Promise<unknown[] | null>;
  } finally {
    stream?.uncork();
  }
  return executed.then(
    (replies) =>
      replies === null
        ? null
        : replies.map((reply): [Error | null, unknown?] =>
            reply instanceof Error ? [reply] : [null, reply],
          ),
    (error: unknown) => {
      if (refusals.length > 0 && error instanceof Error) {
        Object.assign(error, { previousErrors: refusals });
      }
      throw error;
    },
  );
}
