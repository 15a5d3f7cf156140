import type { ChangeEvent } from '@stowage/core/driver';
import { isValidNamespace } from '@stowage/core/driver';

/** The channel Redis delivers invalidations on to a RESP2 redirect target. */
export const INVALIDATE_CHANNEL = '__redis__:invalidate';

/** The marker key's name after the prefix (`P:$inited`). */
const MARKER = '$inited';

/**
 * The change events of one invalidation message, given as ioredis hands it over (`messageBuffer`):
 * the keys written, or `null` when the server flushed everything (FLUSHALL, FLUSHDB).
 *
 * - `P:<namespace>` becomes a `kind` event: the kind changed, item by item unknown.
 * - `P:$inited` becomes a `reset`. The marker changes only when a store is initialized (whose kinds
 *   are reported one by one anyway) or when it is removed, which is how a server that lost its
 *   data looks; a reset makes a cache ask for the marker again, so both are covered.
 * - a flush becomes a `reset`.
 * - any other key under the prefix (a longer prefix of another store, a key that is not a valid
 *   kind) is no change of this store and yields nothing.
 *
 * Several keys of one kind in one message (a transaction) yield one event.
 */
export function invalidationEvents(
  prefixWithColon: string,
  payload: ReadonlyArray<Buffer | string> | Buffer | string | null,
): ChangeEvent[] {
  if (payload === null) return [{ type: 'reset' }];
  // A PUBLISH to the channel by hand arrives as one string, not as a list of keys: not Redis's.
  if (!Array.isArray(payload)) return [];
  const namespaces = new Set<string>();
  for (const raw of payload as ReadonlyArray<Buffer | string>) {
    const key = raw.toString();
    if (!key.startsWith(prefixWithColon)) continue;
    const rest = key.slice(prefixWithColon.length);
    if (rest === MARKER) return [{ type: 'reset' }];
    if (isValidNamespace(rest)) namespaces.add(rest);
  }
  return [...namespaces].map((namespace) => ({ type: 'kind', kind: { namespace } }));
}
