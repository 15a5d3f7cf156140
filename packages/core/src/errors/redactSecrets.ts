const REDACTED = '[redacted]';
const MAX_CAUSE_DEPTH = 8;

// Credentials inside URLs (`redis://user:secret@host`) are redacted even when the caller did not
// name the secret, because connection strings end up in messages of lower layers. A user name
// never starts with `[`, which keeps the URL forms of help texts (`redis://[user:password@]host`)
// as they are.
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:[]*):([^\s/@]*)@/gi;

// The password part of a StackExchange.Redis connection string (`host:6380,password=...,ssl=True`).
// A value starting with `<` is a placeholder of a help text (`password=<secret>`), kept readable.
const CONNECTION_STRING_PASSWORD = /(\bpassword=)(?!<)[^,\s]+/gi;

/** Replaces every listed secret, and the password of any URL or connection string, in `text`. */
export function redactText(text: string, secrets: ReadonlyArray<string>): string {
  let result = text
    .replace(URL_CREDENTIALS, `$1$2:${REDACTED}@`)
    .replace(CONNECTION_STRING_PASSWORD, `$1${REDACTED}`);
  for (const secret of secrets) {
    if (secret.length > 0) result = result.split(secret).join(REDACTED);
  }
  return result;
}

/**
 * A copy of `error` and its whole `cause` chain with every secret removed, safe to attach as the
 * `cause` of a `StowageError`, to log, or to serialize.
 *
 * Client libraries attach the failed command's arguments to their errors (ioredis puts
 * `command.args` on a ReplyError, so an AUTH or HELLO failure carries the password). The copy keeps
 * the name, message, stack, `code` and the command's name, and drops every other own property.
 */
export function redactSecrets(error: unknown, secrets: ReadonlyArray<string>, depth = 0): unknown {
  if (!(error instanceof Error)) {
    return typeof error === 'string' ? redactText(error, secrets) : error;
  }
  const copy = new Error(redactText(error.message, secrets));
  copy.name = error.name;
  if (error.stack !== undefined) copy.stack = redactText(error.stack, secrets);
  const { code, command } = error as Error & { code?: unknown; command?: { name?: unknown } };
  if (typeof code === 'string' || typeof code === 'number') {
    Object.defineProperty(copy, 'code', { value: code, enumerable: true });
  }
  if (typeof command?.name === 'string') {
    Object.defineProperty(copy, 'command', { value: { name: command.name }, enumerable: true });
  }
  if (error.cause !== undefined && depth < MAX_CAUSE_DEPTH) {
    copy.cause = redactSecrets(error.cause, secrets, depth + 1);
  }
  return copy;
}
