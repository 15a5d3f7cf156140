/**
 * One stored item as drivers see it: its version, whether it is a tombstone, and its serialized
 * body.
 *
 * `version` is a non-negative safe integer. A tombstone (`deleted: true`) keeps its version so that
 * an older write arriving late cannot resurrect the deleted item. `serializedItem`, when present, is
 * a JSON object whose `version` (and `deleted`, for tombstones) agree with the descriptor. Drivers
 * return it byte for byte as it was stored; a tombstone written without a body reads back with the
 * body `{"key":K,"version":V,"deleted":true}`.
 */
export interface SerializedItemDescriptor {
  readonly version: number;
  readonly deleted: boolean;
  readonly serializedItem?: string;
}
