import type { RedisNodeAddress } from '../RedisDriverOptions.js';

/** What a `redis+sentinel://` or `redis+cluster://` URL says. */
export interface TopologyUrlParts {
  readonly mode: 'sentinel' | 'cluster';
  /** Sentinels (sentinel mode) or startup nodes (cluster mode). */
  readonly hosts: ReadonlyArray<RedisNodeAddress>;
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** Sentinel mode: the master name. */
  readonly name: string | undefined;
  /** Sentinel mode only: the database after the name. */
  readonly db: number | undefined;
  readonly tls: boolean;
  readonly sentinelUsername: string | undefined;
  readonly sentinelPassword: string | undefined;
}

const SCHEME = /^(rediss?)\+(sentinel|cluster):\/\/(.*)$/s;
const MAX_DB = 2 ** 31 - 1;

/** Default port of a host without one: sentinels listen on 26379, data nodes on 6379. */
const DEFAULT_PORT = { sentinel: 26379, cluster: 6379 } as const;

export const SENTINEL_URL_FORM =
  'redis+sentinel://[[user]:password@]host1[:26379],host2[:26379]/name[/db][?sentinelPassword=...]';
export const CLUSTER_URL_FORM = 'redis+cluster://[[user]:password@]host1[:6379],host2[:6379]';

/** True when `url` names a topology scheme (whatever else is wrong with it). */
export function isTopologyUrl(url: string): boolean {
  return /^rediss?\+[a-z]*:/i.test(url);
}

function decoded(part: string | undefined): string | undefined | null {
  if (part === undefined || part === '') return undefined;
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

function parseHost(text: string, defaultPort: number): RedisNodeAddress | undefined {
  // [v6]:port, [v6], host:port, host
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]/?#@\s,]+))(?::(\d{1,5}))?$/.exec(text);
  if (match === null) return undefined;
  const host = (match[1] ?? match[2]) as string;
  const port = match[3] === undefined ? defaultPort : Number(match[3]);
  if (port < 1 || port > 65_535) return undefined;
  return { host, port };
}

/**
 * Splits a Sentinel or Cluster URL into its parts, or returns what is wrong with it. (The WHATWG
 * URL parser takes one host only, so these are parsed by hand.) Problem texts never repeat the
 * URL, which may carry a password.
 */
export function parseTopologyUrl(url: string): TopologyUrlParts | string {
  const match = SCHEME.exec(url);
  if (match === null) {
    return `must start with redis+sentinel://, redis+cluster:// or rediss+... (TLS)`;
  }
  const tls = match[1] === 'rediss';
  const mode = match[2] as 'sentinel' | 'cluster';
  const form = mode === 'sentinel' ? SENTINEL_URL_FORM : CLUSTER_URL_FORM;
  let rest = match[3] as string;
  if (rest.includes('#')) return `must not have a fragment: ${form}`;
  let query = '';
  const queryAt = rest.indexOf('?');
  if (queryAt >= 0) {
    query = rest.slice(queryAt + 1);
    rest = rest.slice(0, queryAt);
  }
  const slash = rest.indexOf('/');
  const path = slash >= 0 ? rest.slice(slash + 1) : '';
  let authority = slash >= 0 ? rest.slice(0, slash) : rest;
  let username: string | undefined;
  let password: string | undefined;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    authority = authority.slice(at + 1);
    const colon = userinfo.indexOf(':');
    const user = decoded(colon >= 0 ? userinfo.slice(0, colon) : userinfo);
    const pass = decoded(colon >= 0 ? userinfo.slice(colon + 1) : undefined);
    if (user === null || pass === null)
      return 'has credentials that are not valid percent-encoding (write % as %25)';
    username = user;
    password = pass;
  }
  if (authority === '') return `must name at least one host: ${form}`;
  const hosts: RedisNodeAddress[] = [];
  for (const part of authority.split(',')) {
    const host = parseHost(part, DEFAULT_PORT[mode]);
    if (host === undefined) return `has a host list that is not host[:port],host[:port]: ${form}`;
    hosts.push(host);
  }

  let name: string | undefined;
  let db: number | undefined;
  const segments = path === '' ? [] : path.split('/');
  if (mode === 'cluster') {
    if (segments.some((segment) => segment !== '')) {
      return `must not have a path (a cluster has database 0 only): ${form}`;
    }
  } else {
    const [first, second, ...more] = segments;
    const nameText = decoded(first);
    if (nameText === undefined || nameText === null) {
      return `must name the master as its path: ${form}`;
    }
    name = nameText;
    if (more.length > 0 || (second !== undefined && second !== '' && !/^\d{1,10}$/.test(second))) {
      return `must have only the master name and a database number as its path: ${form}`;
    }
    if (second !== undefined && second !== '') {
      db = Number(second);
      if (db > MAX_DB) return `has a database number out of range: ${form}`;
    }
  }

  let sentinelUsername: string | undefined;
  let sentinelPassword: string | undefined;
  if (query !== '') {
    if (mode === 'cluster') return `must not have query parameters: ${form}`;
    for (const pair of query.split('&')) {
      const eq = pair.indexOf('=');
      const key = eq >= 0 ? pair.slice(0, eq) : pair;
      const value = decoded(eq >= 0 ? pair.slice(eq + 1) : '');
      if (value === null) return 'has a query parameter that is not valid percent-encoding';
      if (key === 'sentinelPassword') sentinelPassword = value;
      else if (key === 'sentinelUsername') sentinelUsername = value;
      else return 'accepts only the query parameters sentinelUsername and sentinelPassword';
    }
  }
  return {
    mode,
    hosts,
    username,
    password,
    name,
    db,
    tls,
    sentinelUsername,
    sentinelPassword,
  };
}
