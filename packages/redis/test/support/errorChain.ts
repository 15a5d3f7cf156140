import { inspect } from 'node:util';

/**
 * Everything an error could reveal when logged or serialized: for it and each error of its cause
 * chain, the name, message, stack and every own property (enumerable or not), plus Node's own
 * rendering of the whole chain.
 */
export function errorChainText(error: unknown): string {
  const parts: string[] = [inspect(error, { depth: 10, showHidden: true })];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    for (const name of Object.getOwnPropertyNames(current)) {
      const value = (current as Record<string, unknown>)[name];
      parts.push(`${name}=${typeof value === 'string' ? value : safeJson(value)}`);
    }
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return inspect(value, { depth: 10, showHidden: true });
  }
}

/** Settles `promise` and returns the rejection reason, or throws if it resolved. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
