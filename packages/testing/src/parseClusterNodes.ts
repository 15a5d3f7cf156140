/** One line of `CLUSTER NODES`. */
export interface ClusterNodeEntry {
  readonly id: string;
  readonly port: number;
  readonly flags: readonly string[];
  /** Node id of its primary, for replicas. */
  readonly primaryId: string | undefined;
  /** True for a primary that is not flagged as failing. */
  readonly isHealthyPrimary: boolean;
  /** Slots it serves, as inclusive ranges. */
  readonly slots: ReadonlyArray<readonly [number, number]>;
}

/** Parses the text of `CLUSTER NODES`; migrating/importing markers (`[...]`) are skipped. */
export function parseClusterNodes(text: string): ClusterNodeEntry[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [id = '', address = '', flagText = '', primary = '-', , , , , ...slotFields] =
        line.split(' ');
      const flags = flagText.split(',');
      const port = Number(address.slice(address.lastIndexOf(':') + 1).split('@')[0]);
      const slots = slotFields
        .filter((field) => !field.startsWith('['))
        .map((field): readonly [number, number] => {
          const [from, to = from] = field.split('-').map(Number) as [number, number?];
          return [from, to];
        });
      return {
        id,
        port,
        flags,
        primaryId: primary === '-' ? undefined : primary,
        isHealthyPrimary:
          flags.includes('master') && !flags.includes('fail') && !flags.includes('fail?'),
        slots,
      };
    });
}
