import { readFileSync } from 'node:fs';

/** A file's text without surrounding white space, or undefined when it cannot be read. */
export function readTrimmedText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * The pid written in an owner file or pidfile, or undefined when the file is absent, still empty
 * (written in two steps by its owner) or holds no positive integer.
 */
export function readPid(path: string): number | undefined {
  const pid = Number.parseInt(readTrimmedText(path) ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
