import type { RedisNodeAddress } from '../RedisDriverOptions.js';

/**
 * The connection strings of StackExchange.Redis, as Azure Cache for Redis and .NET users copy
 * them: `host:port,password=...,ssl=True,abortConnect=False`. Anything that is not a URL (no
 * `scheme://`) is read as one.
 */
export const CONNECTION_STRING_FORM =
  'host[:port][,host[:port]...][,password=<secret>][,user=...][,ssl=True][,sslHost=...][,serviceName=...][,defaultDatabase=N][,connectTimeout=MS][,syncTimeout=MS][,abortConnect=False]';

/** What a value that is neither a URL nor a connection string is told. */
const EITHER_FORM = `use a URL (redis://[user:password@]host[:port][/db], rediss://, redis+sentinel://, redis+cluster://) or a connection string ${CONNECTION_STRING_FORM}`;

/** True when `url` is a connection string rather than a URL. */
export function isConnectionString(url: string): boolean {
  return !url.includes('://');
}

/**
 * The driver options a connection string stands for. `mode` is `sentinel` with `serviceName`,
 * and otherwise left to the caller: several endpoints need `mode: 'cluster'` stated.
 */
export interface ConnectionStringOptions {
  readonly endpoints: ReadonlyArray<RedisNodeAddress>;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: boolean;
  readonly servername?: string;
  readonly db?: number;
  readonly connectTimeoutMs?: number;
  readonly commandTimeoutMs?: number;
  /** Sentinel: the master name the endpoints (the sentinels) monitor. */
  readonly serviceName?: string;
}

/** The keys StackExchange.Redis spells them with (matched without regard to case). */
const KEYS = [
  'password',
  'user',
  'ssl',
  'sslHost',
  'abortConnect',
  'connectTimeout',
  'syncTimeout',
  'defaultDatabase',
  'serviceName',
] as const;
type Key = (typeof KEYS)[number];

const MAX_DB = 2 ** 31 - 1;
const MAX_TIMEOUT_MS = 600_000;
/** StackExchange.Redis's default ports: 6380 is Azure's TLS port. */
const DEFAULT_PORT = 6379;
const DEFAULT_TLS_PORT = 6380;

function parseEndpoint(text: string, defaultPort: number): RedisNodeAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]/?#@\s=]+))(?::(\d{1,5}))?$/.exec(text);
  if (match === null) return undefined;
  const port = match[3] === undefined ? defaultPort : Number(match[3]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: (match[1] ?? match[2]) as string, port };
}

function parseBoolean(value: string): boolean | undefined {
  const lower = value.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

function parseInteger(value: string, min: number, max: number): number | undefined {
  if (!/^\d{1,15}$/.test(value)) return undefined;
  const number = Number(value);
  return number >= min && number <= max ? number : undefined;
}

/**
 * Reads a StackExchange.Redis connection string into driver options, or says what is wrong with
 * it. Known parts: endpoints, `password`, `user`, `ssl`, `sslHost`, `abortConnect` (accepted and
 * ignored: the driver connects lazily and never gives up for good), `connectTimeout` and
 * `syncTimeout` (ms; the latter is the command timeout), `defaultDatabase`, `serviceName`
 * (Sentinel). Anything else is an error, never silently dropped. Problem texts never repeat a
 * value (the string carries a password).
 */
export function parseConnectionString(text: string): ConnectionStringOptions | string {
  const values = new Map<Key, string>();
  const hosts: string[] = [];
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) {
      hosts.push(part);
      continue;
    }
    const name = part.slice(0, eq).trim();
    const key = KEYS.find((known) => known.toLowerCase() === name.toLowerCase());
    if (key === undefined) {
      return `has an unknown part "${name.slice(0, 40)}": the known parts are ${KEYS.join(', ')}`;
    }
    if (values.has(key)) return `gives ${key} twice`;
    values.set(key, part.slice(eq + 1).trim());
  }
  if (hosts.length === 0) return `must name at least one host: ${EITHER_FORM}`;

  const result: { -readonly [K in keyof ConnectionStringOptions]: ConnectionStringOptions[K] } = {
    endpoints: [],
  };
  for (const [key, value] of values) {
    if (value === '' && key !== 'password') return `has an empty ${key}`;
    switch (key) {
      case 'password':
        if (value !== '') result.password = value;
        break;
      case 'user':
        result.username = value;
        break;
      case 'sslHost':
        result.servername = value;
        break;
      case 'serviceName':
        result.serviceName = value;
        break;
      case 'ssl':
      case 'abortConnect': {
        const flag = parseBoolean(value);
        if (flag === undefined) return `has a ${key} that is neither true nor false`;
        if (key === 'ssl') result.tls = flag;
        break;
      }
      case 'defaultDatabase': {
        const db = parseInteger(value, 0, MAX_DB);
        if (db === undefined) return 'has a defaultDatabase that is not a database number';
        result.db = db;
        break;
      }
      case 'connectTimeout':
      case 'syncTimeout': {
        const ms = parseInteger(value, 1, MAX_TIMEOUT_MS);
        if (ms === undefined) {
          return `has a ${key} that is not a number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`;
        }
        if (key === 'connectTimeout') result.connectTimeoutMs = ms;
        else result.commandTimeoutMs = ms;
        break;
      }
    }
  }
  if (result.servername !== undefined && result.tls !== true) {
    return 'gives sslHost without ssl=True';
  }
  // Sentinels listen on 26379; data nodes on 6379, or 6380 with TLS as StackExchange.Redis assumes.
  const defaultPort =
    result.serviceName !== undefined ? 26379 : result.tls ? DEFAULT_TLS_PORT : DEFAULT_PORT;
  const endpoints: RedisNodeAddress[] = [];
  for (const host of hosts) {
    const endpoint = parseEndpoint(host, defaultPort);
    if (endpoint === undefined) {
      return `has an endpoint that is not host[:port] (a part without "=" is an endpoint): ${EITHER_FORM}`;
    }
    endpoints.push(endpoint);
  }
  result.endpoints = endpoints;
  return result;
}
