import type { ChangeEvent } from '../contract/ChangeFeed.js';
import type { StoreChange } from '../typed/DataStore.js';

const RESET: StoreChange = Object.freeze({ type: 'reset' });

/** A driver's event as applications see it: the kind by namespace, nothing driver-private. */
export function toStoreChange(event: ChangeEvent): StoreChange {
  switch (event.type) {
    case 'upsert':
      return {
        type: 'upsert',
        namespace: event.kind.namespace,
        key: event.key,
        version: event.version,
        deleted: event.deleted,
      };
    case 'init':
    case 'kind':
      return { type: event.type, namespace: event.kind.namespace };
    default:
      return RESET;
  }
}
