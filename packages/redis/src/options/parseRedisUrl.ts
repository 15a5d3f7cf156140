import { REDIS_DEFAULTS, type RedisMode, type RedisNodeAddress } from '../RedisDriverOptions.js';
import { LIMITS } from './optionFields.js';

/**
 * What a URL or a connection string says, spelled as the driver options it stands for. Every form
 * is read into this one shape, once; the options then combine with it by one set of rules.
 */
export interface RedisUrlParts {
  /** The topology; a connection string names one only with `serviceName` (Sentinel). */
  readonly mode?: RedisMode;
  /** The server, the sentinels, or the cluster's startup nodes; each with its port. */
  readonly endpoints: ReadonlyArray<RedisNodeAddress>;
  readonly username?: string;
  readonly password?: string;
  readonly db?: number;
  /** TLS on or off, when the form says (`rediss`, `ssl=`). */
  readonly tls?: boolean;
  /** The name to check the server certificate against (`sslHost=`). */
  readonly servername?: string;
  /** Sentinel mode: the master name. */
  readonly name?: string;
  readonly sentinelUsername?: string;
  readonly sentinelPassword?: string;
  readonly connectTimeoutMs?: number;
  readonly commandTimeoutMs?: number;
}

/** {@link RedisUrlParts} while a parser fills them in. */
export type UrlPartsDraft = { -readonly [K in keyof RedisUrlParts]: RedisUrlParts[K] };

/** The port a host without one gets: a data node's, or Sentinel's 26379. */
export const DEFAULT_PORTS = { redis: REDIS_DEFAULTS.port, sentinel: 26379 } as const;

const SENTINEL_URL_FORM =
  'redis+sentinel://[[user]:password@]host1[:26379],host2[:26379]/name[/db][?sentinelPassword=...]';
const CLUSTER_URL_FORM = 'redis+cluster://[[user]:password@]host1[:6379],host2[:6379]';
const BAD_CREDENTIALS = 'has credentials that are not valid percent-encoding (write % as %25)';

/** A percent-decoded part, `undefined` when empty, `null` when it is not valid percent-encoding. */
function decoded(part: string | undefined): string | undefined | null {
  if (part === undefined || part === '') return undefined;
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`; undefined when it is none of these. */
export function parseEndpoint(text: string, defaultPort: number): RedisNodeAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]/?#@\s,=]+))(?::(\d{1,5}))?$/.exec(text);
  if (match === null) return undefined;
  const port = match[3] === undefined ? defaultPort : Number(match[3]);
  if (port < LIMITS.port.min || port > LIMITS.port.max) return undefined;
  return { host: (match[1] ?? match[2]) as string, port };
}

/**
 * Reads a `redis://`, `rediss://`, `redis+sentinel://` or `redis+cluster://` URL (and the TLS
 * `rediss+...` forms), or says what is wrong with it. The problem text never repeats the URL,
 * which may carry a password.
 */
export function parseRedisUrl(url: string): RedisUrlParts | string {
  return /^rediss?\+[a-z]*:/i.test(url) ? parseTopologyUrl(url) : parseServerUrl(url);
}

/** One server: the WHATWG URL parser reads it (and normalizes the host as a browser would). */
function parseServerUrl(url: string): RedisUrlParts | string {
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
  if (parsed.pathname !== '' && parsed.pathname !== '/') {
    const match = /^\/(\d{1,10})$/.exec(parsed.pathname);
    db = match === null ? Number.NaN : Number(match[1]);
    if (!(db <= LIMITS.db.max))
      return 'must have a database number as its path (e.g. /0), or no path';
  }
  // A credential that does not decode must not be dropped: the server would be reached without it.
  const username = decoded(parsed.username);
  const password = decoded(parsed.password);
  if (username === null || password === null) return BAD_CREDENTIALS;
  const parts: UrlPartsDraft = {
    mode: 'standalone',
    // IPv6 hosts come back bracketed; the socket wants the bare address.
    endpoints: [
      {
        host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: parsed.port === '' ? DEFAULT_PORTS.redis : Number(parsed.port),
      },
    ],
    tls: parsed.protocol === 'rediss:',
  };
  if (username !== undefined) parts.username = username;
  if (password !== undefined) parts.password = password;
  if (db !== undefined) parts.db = db;
  return parts;
}

/** Several hosts, which the WHATWG URL parser does not take: split by hand. */
function parseTopologyUrl(url: string): RedisUrlParts | string {
  const match = /^(rediss?)\+(sentinel|cluster):\/\/([^?#]*)(?:\?([^#]*))?(#.*)?$/s.exec(url);
  if (match === null)
    return 'must start with redis+sentinel://, redis+cluster:// or rediss+... (TLS)';
  const mode = match[2] as 'sentinel' | 'cluster';
  const form = mode === 'sentinel' ? SENTINEL_URL_FORM : CLUSTER_URL_FORM;
  const [, scheme, , rest = '', query, fragment] = match;
  if (fragment !== undefined) return `must not have a fragment: ${form}`;
  const slash = rest.indexOf('/');
  const path = slash >= 0 ? rest.slice(slash + 1) : '';
  let hostList = slash >= 0 ? rest.slice(0, slash) : rest;
  const parts: UrlPartsDraft = {
    mode,
    endpoints: [],
    tls: scheme === 'rediss',
  };

  const at = hostList.lastIndexOf('@');
  if (at >= 0) {
    const [user, pass] = hostList.slice(0, at).split(/:(.*)/s);
    hostList = hostList.slice(at + 1);
    const username = decoded(user);
    const password = decoded(pass);
    if (username === null || password === null) return BAD_CREDENTIALS;
    if (username !== undefined) parts.username = username;
    if (password !== undefined) parts.password = password;
  }
  if (hostList === '') return `must name at least one host: ${form}`;
  const endpoints = hostList
    .split(',')
    .map((host) => parseEndpoint(host, DEFAULT_PORTS[mode === 'sentinel' ? 'sentinel' : 'redis']));
  if (endpoints.some((endpoint) => endpoint === undefined)) {
    return `has a host list that is not host[:port],host[:port]: ${form}`;
  }
  parts.endpoints = endpoints as RedisNodeAddress[];

  const segments = path === '' ? [] : path.split('/');
  if (mode === 'cluster') {
    if (segments.some((segment) => segment !== '')) {
      return `must not have a path (a cluster has database 0 only): ${form}`;
    }
    if (query !== undefined && query !== '') return `must not have query parameters: ${form}`;
    return parts;
  }
  const [first, second = '', ...more] = segments;
  const name = decoded(first);
  if (name === undefined || name === null) return `must name the master as its path: ${form}`;
  parts.name = name;
  if (more.length > 0 || !/^(\d{1,10})?$/.test(second)) {
    return `must have only the master name and a database number as its path: ${form}`;
  }
  if (second !== '') {
    parts.db = Number(second);
    if (parts.db > LIMITS.db.max) return `has a database number out of range: ${form}`;
  }
  for (const pair of query === undefined || query === '' ? [] : query.split('&')) {
    const [key, raw] = pair.split(/=(.*)/s);
    const value = decoded(raw);
    if (value === null) return 'has a query parameter that is not valid percent-encoding';
    if (key !== 'sentinelPassword' && key !== 'sentinelUsername') {
      return 'accepts only the query parameters sentinelUsername and sentinelPassword';
    }
    if (value !== undefined) parts[key] = value;
  }
  return parts;
}
