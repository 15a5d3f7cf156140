/** The reply code of a Redis error reply (`NOPERM`, `NOSCRIPT`, ...), if it is one. */
export function replyCode(error: unknown): string | undefined {
  return /^([A-Z]+)\b/.exec((error as Error | undefined)?.message ?? '')?.[1];
}

/** True when the server's ACL refused the command (`NOPERM`): a right is missing, nothing broke. */
export function isAclRefusal(error: unknown): boolean {
  return replyCode(error) === 'NOPERM';
}
