import { validateKind } from '../contract/validation.js';
import { StoreErrorCode } from '../errors/StoreErrorCode.js';
import { StowageError } from '../errors/StowageError.js';
import type { KindDefinition } from './defineKind.js';
import type { TypedItems } from './TypedItems.js';
import type { VersionedItem } from './VersionedItem.js';

/** True for a kind made by `defineKind` (or shaped like one). */
export const isKindDefinition = (kind: unknown): kind is KindDefinition<VersionedItem> =>
  typeof (kind as { codec?: { deserialize?: unknown } } | null)?.codec?.deserialize === 'function';

/**
 * The typed items of every kind a typed store has used: one namespace, one codec. A kind is
 * validated once, on first use; afterwards finding its items is an identity check (the kind used
 * last) or one map lookup.
 */
export class ItemsByKind {
  private readonly byNamespace = new Map<string, TypedItems<VersionedItem>>();
  private lastKind: KindDefinition<VersionedItem> | undefined = undefined;
  private lastItems: TypedItems<VersionedItem> | undefined = undefined;

  constructor(
    private readonly make: <T extends VersionedItem>(kind: KindDefinition<T>) => TypedItems<T>,
  ) {}

  /** The items of `kind`; throws `invalid-kind` for a bad kind or a second codec. */
  of<T extends VersionedItem>(kind: KindDefinition<T>): TypedItems<T> {
    // The items were made for this very kind object, so for its T.
    if (kind === this.lastKind) return this.lastItems as TypedItems<T>;
    const namespace = (kind as Partial<KindDefinition<T>> | null | undefined)?.namespace;
    let items = typeof namespace === 'string' ? this.byNamespace.get(namespace) : undefined;
    if (items === undefined || items.kind.codec !== kind.codec) {
      validateKind(kind);
      if (items !== undefined || !isKindDefinition(kind)) {
        throw new StowageError(
          StoreErrorCode.InvalidKind,
          `Kind "${kind.namespace}" is used with two different codecs (or without defineKind): define it once and share the definition`,
        );
      }
      items = this.make(kind);
      this.byNamespace.set(kind.namespace, items);
    }
    // A frozen kind (as defineKind makes) cannot change its namespace or codec later.
    if (Object.isFrozen(kind)) {
      this.lastKind = kind;
      this.lastItems = items;
    }
    // Same namespace and the same codec object: the items of this kind's T.
    return items as TypedItems<T>;
  }
}
