import { LIMITS } from './optionFields.js';
import {
  DEFAULT_PORTS,
  parseEndpoint,
  type RedisUrlParts,
  type UrlPartsDraft,
} from './parseRedisUrl.js';

/**
 * The connection strings of StackExchange.Redis, as Azure Cache for Redis and .NET users copy
 * them: `host:port,password=...,ssl=True,abortConnect=False`. Anything that is not a URL (no
 * `scheme://`) is read as one.
 */
const CONNECTION_STRING_FORM =
  'host[:port][,host[:port]...][,password=<secret>][,user=...][,ssl=True][,sslHost=...][,serviceName=...][,defaultDatabase=N][,connectTimeout=MS][,syncTimeout=MS][,abortConnect=False]';

/** What a value that is neither a URL nor a connection string is told. */
const EITHER_FORM = `use a URL (redis://[user:password@]host[:port][/db], rediss://, redis+sentinel://, redis+cluster://) or a connection string ${CONNECTION_STRING_FORM}`;

/** StackExchange.Redis's port for TLS when none is given: Azure's. */
const DEFAULT_TLS_PORT = 6380;

/** True when `url` is a connection string rather than a URL. */
export function isConnectionString(url: string): boolean {
  return !url.includes('://');
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

/** `value` as an integer in `range`, or undefined. */
function integerIn(value: string, range: { readonly min: number; readonly max: number }) {
  const number = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  return number >= range.min && number <= range.max ? number : undefined;
}

/**
 * Reads a StackExchange.Redis connection string, or says what is wrong with it. Known parts:
 * endpoints, `password`, `user`, `ssl`, `sslHost`, `abortConnect` (accepted and ignored: the
 * driver connects lazily and never gives up for good), `connectTimeout` and `syncTimeout` (ms; the
 * latter is the command timeout), `defaultDatabase`, `serviceName` (Sentinel: the master name).
 * Anything else is an error, never silently dropped. Problem texts never repeat a value (the
 * string carries a password).
 */
export function parseConnectionString(text: string): RedisUrlParts | string {
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

  const parts: UrlPartsDraft = { endpoints: [] };
  for (const [key, value] of values) {
    if (value === '' && key !== 'password') return `has an empty ${key}`;
    switch (key) {
      case 'password':
        if (value !== '') parts.password = value;
        break;
      case 'user':
        parts.username = value;
        break;
      case 'sslHost':
        parts.servername = value;
        break;
      case 'serviceName':
        parts.mode = 'sentinel';
        parts.name = value;
        break;
      case 'ssl':
      case 'abortConnect': {
        const flag = value.toLowerCase();
        if (flag !== 'true' && flag !== 'false') {
          return `has a ${key} that is neither true nor false`;
        }
        if (key === 'ssl') parts.tls = flag === 'true';
        break;
      }
      case 'defaultDatabase': {
        const db = integerIn(value, LIMITS.db);
        if (db === undefined) return 'has a defaultDatabase that is not a database number';
        parts.db = db;
        break;
      }
      case 'connectTimeout':
      case 'syncTimeout': {
        const ms = integerIn(value, LIMITS.timeoutMs);
        if (ms === undefined) {
          return `has a ${key} that is not a number of milliseconds from 1 to ${LIMITS.timeoutMs.max}`;
        }
        if (key === 'connectTimeout') parts.connectTimeoutMs = ms;
        else parts.commandTimeoutMs = ms;
        break;
      }
    }
  }
  if (parts.servername !== undefined && parts.tls !== true) return 'gives sslHost without ssl=True';
  // Sentinels listen on 26379; data nodes on 6379, or 6380 with TLS as StackExchange.Redis assumes.
  const defaultPort =
    parts.mode === 'sentinel'
      ? DEFAULT_PORTS.sentinel
      : parts.tls
        ? DEFAULT_TLS_PORT
        : DEFAULT_PORTS.redis;
  const endpoints = hosts.map((host) => parseEndpoint(host, defaultPort));
  if (endpoints.some((endpoint) => endpoint === undefined)) {
    return `has an endpoint that is not host[:port] (a part without "=" is an endpoint): ${EITHER_FORM}`;
  }
  parts.endpoints = endpoints as RedisUrlParts['endpoints'];
  return parts;
}
