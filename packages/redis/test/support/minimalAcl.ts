import type { PersistentDataStore } from '@stowage/core';

/**
 * The commands the driver sends, and nothing else: the minimal ACL rule documented in the README.
 * PING is the health probe; EXISTS the marker check; HGET/HGETALL the reads; DEL/HSET/SET inside
 * MULTI/EXEC the init; EVALSHA (EVAL when the server lacks the script) the upsert; SPUBLISH the
 * announcement of every write, SSUBSCRIBE the change feed.
 */
export const SCRIPT_COMMANDS = [
  '+ping',
  '+exists',
  '+hget',
  '+hgetall',
  '+hset',
  '+del',
  '+set',
  '+multi',
  '+exec',
  '+evalsha',
  '+eval',
  '+spublish',
  '+ssubscribe',
] as const;

/** The same for the WATCH strategy: WATCH/UNWATCH instead of the scripting commands. */
export const WATCH_COMMANDS = [
  '+ping',
  '+exists',
  '+hget',
  '+hgetall',
  '+hset',
  '+del',
  '+set',
  '+multi',
  '+exec',
  '+watch',
  '+unwatch',
  '+spublish',
  '+ssubscribe',
] as const;

/**
 * ACL rules, one word each: the key pattern, the same pattern for channels (the change channel is
 * `P:$changes`, which `P:*` covers), no command but `commands`.
 */
export function aclRules(keyPattern: string, commands: ReadonlyArray<string>): string[] {
  return [`~${keyPattern}`, 'resetchannels', `&${keyPattern}`, '-@all', ...commands];
}

/**
 * The store as the suite sees it under a minimal rule: without the optional `listKinds`, which
 * needs SCAN. The application never sends SCAN; only tools (the stowage command line) list kinds,
 * under a user granted `+scan` as well.
 */
export function withoutListKinds(store: PersistentDataStore): PersistentDataStore {
  return new Proxy(store, {
    get: (target, name) => (name === 'listKinds' ? undefined : Reflect.get(target, name)),
  });
}

/**
 * The minimal rule of a read-only instance that follows the change feed, for the store whose
 * effective prefix is `effectivePrefix` (`{P}` in a cluster): its keys, its change channel, the
 * reads and SSUBSCRIBE; `extra` adds what a mode or an option needs (`+cluster|slots`, tracking).
 */
export function readOnlyRules(
  effectivePrefix: string,
  extra: ReadonlyArray<string> = [],
): string[] {
  return [
    `~${effectivePrefix}:*`,
    'resetchannels',
    '-@all',
    '+ping',
    '+exists',
    '+hget',
    '+hgetall',
    '+ssubscribe',
    `&${effectivePrefix}:$changes`,
    ...extra,
  ];
}
