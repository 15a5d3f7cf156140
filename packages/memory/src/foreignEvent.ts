import type { ChangeEvent } from '@stowage/core/driver';

/**
 * A copy of an announced event that the announcer cannot change afterwards, without its `own`
 * flag (each driver sets its own) and without fields that are not part of the event.
 */
export function foreignEvent(event: ChangeEvent): ChangeEvent {
  switch (event.type) {
    case 'upsert':
      return Object.freeze({
        type: 'upsert',
        kind: Object.freeze({ namespace: event.kind.namespace }),
        key: event.key,
        version: event.version,
        deleted: event.deleted,
      });
    case 'init':
    case 'kind':
      return Object.freeze({
        type: event.type,
        kind: Object.freeze({ namespace: event.kind.namespace }),
      });
    case 'reset':
      return Object.freeze({ type: 'reset' });
  }
}
