/**
 * A named collection of versioned items, e.g. `{ namespace: 'features' }`.
 *
 * A namespace is non-empty and made of letters, digits, `_`, `-` and `.` only. `:` is excluded
 * because prefix `a` + kind `b:c` would name the same Redis key as prefix `a:b` + kind `c`; `$`
 * because kind `$inited` would be the initialized marker; braces because they are Redis Cluster
 * hash tags.
 */
export interface DataKind {
  readonly namespace: string;
}
