/** What a `redis://` or `rediss://` URL says. */
export interface RedisUrlParts {
  readonly host: string;
  readonly port: number | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly db: number | undefined;
  readonly tls: boolean;
}

const MAX_DB = 2 ** 31 - 1;

/** A percent-decoded part, `undefined` when empty, `null` when it is not valid percent-encoding. */
function decoded(part: string): string | undefined | null {
  if (part === '') return undefined;
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

/**
 * Splits a Redis URL into its parts, or returns what is wrong with it. The problem text never
 * repeats the URL, which may carry a password.
 */
export function parseRedisUrl(url: string): RedisUrlParts | string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be a URL of the form redis://[user:password@]host[:port][/db] or rediss://...';
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    return 'must start with redis:// or rediss:// (TLS)';
  }
  if (parsed.hostname === '') return 'must name a host';
  if (parsed.search !== '' || parsed.hash !== '') {
    return 'must not have query parameters or a fragment: use the driver options instead';
  }
  let db: number | undefined;
  const path = parsed.pathname;
  if (path !== '' && path !== '/') {
    const match = /^\/(\d{1,10})$/.exec(path);
    const value = match === null ? Number.NaN : Number(match[1]);
    if (!Number.isSafeInteger(value) || value > MAX_DB) {
      return 'must have a database number as its path (e.g. /0), or no path';
    }
    db = value;
  }
  // A credential that does not decode must not be dropped: the server would be reached without it.
  const username = decoded(parsed.username);
  const password = decoded(parsed.password);
  if (username === null || password === null) {
    return 'has credentials that are not valid percent-encoding (write % as %25)';
  }
  // IPv6 hosts come back bracketed; the socket wants the bare address.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port: parsed.port === '' ? undefined : Number(parsed.port),
    username,
    password,
    db,
    tls: parsed.protocol === 'rediss:',
  };
}
