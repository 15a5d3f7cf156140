import { redactText } from '../errors/redactSecrets.js';
import { isPlainObject } from './mergeConfig.js';

const REDACTED = '[redacted]';

// Option names that hold secrets whatever the driver: passwords, tokens, private keys.
const SECRET_NAME = /pass(word|phrase)?$|secret|token|credential|private|^key$|apikey|auth|sasl/i;

/** True when an option of this name holds a secret (and is never printed). */
function isSecretOptionName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * Every string held under a secret-looking name anywhere in `value`, so that a password that
 * also appears inside another string (a URL, an error message) can be scrubbed from it.
 */
export function collectSecrets(value: unknown, found: string[] = [], depth = 0): string[] {
  if (depth > 8) return found;
  if (Array.isArray(value)) {
    for (const element of value) collectSecrets(element, found, depth + 1);
  } else if (isPlainObject(value)) {
    for (const [name, field] of Object.entries(value)) {
      if (isSecretOptionName(name) && typeof field === 'string' && field.length > 0) {
        found.push(field);
      } else {
        collectSecrets(field, found, depth + 1);
      }
    }
  }
  return found;
}

/**
 * A printable copy of configuration: secret-named options replaced, credentials removed from
 * URLs, and objects that are not plain data (a client, a backend) shown by their class name.
 */
export function redactConfig(
  value: unknown,
  secrets: ReadonlyArray<string> = collectSecrets(value),
  depth = 0,
): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (typeof value === 'function') return '[function]';
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 8) return '[…]';
  if (Array.isArray(value))
    return value.map((element) => redactConfig(element, secrets, depth + 1));
  // A client, a backend, anything with methods: not configuration data, and never printed.
  if (!isPlainObject(value) || Object.values(value).some((field) => typeof field === 'function')) {
    return `[${isPlainObject(value) ? 'object' : (value.constructor?.name ?? 'object')}]`;
  }
  const copy: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    copy[name] =
      isSecretOptionName(name) && field !== undefined && field !== null
        ? REDACTED
        : redactConfig(field, secrets, depth + 1);
  }
  return copy;
}
