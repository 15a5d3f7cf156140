/** The Redis keys of one store: `P:KIND` hashes and the `P:$inited` marker. */
export interface RedisKeys {
  /** The hash holding every item of the kind. */
  kind(namespace: string): string;
  /** The marker `init` sets (value `''`; test existence, never truthiness). */
  readonly inited: string;
}

/** The key layout shared with other writers of the schema, built from the effective prefix. */
export function redisKeys(effectivePrefix: string): RedisKeys {
  const base = `${effectivePrefix}:`;
  return {
    kind: (namespace) => base + namespace,
    inited: `${base}$inited`,
  };
}
