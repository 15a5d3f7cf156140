import type { RedisMode, RedisNodeAddress, WaitForReplicasOptions } from '../RedisDriverOptions.js';
import { isRecord, type OptionReader } from './optionReaders.js';
import type { RedisUrlParts } from './parseRedisUrl.js';
import type { TopologyUrlParts } from './parseTopologyUrl.js';

/** Options that belong to one mode only; given in another mode they are errors. */
const MODE_ONLY: Readonly<Record<string, ReadonlyArray<RedisMode>>> = {
  host: ['standalone'],
  port: ['standalone'],
  client: ['standalone'],
  db: ['standalone', 'sentinel'],
  sentinels: ['sentinel'],
  name: ['sentinel'],
  sentinelUsername: ['sentinel'],
  sentinelPassword: ['sentinel'],
  failoverDetector: ['sentinel'],
  nodes: ['cluster'],
  natMap: ['cluster'],
};

const MAX_REPLICAS = 100;

interface ModeContext {
  readonly mode: RedisMode;
  readonly url: RedisUrlParts | TopologyUrlParts | undefined;
  readonly commandTimeoutMs: number;
}

function readAddress(
  reader: OptionReader,
  path: string,
  value: unknown,
): RedisNodeAddress | undefined {
  if (!isRecord(value)) {
    reader.problem(path, 'must be an object { host, port }');
    return undefined;
  }
  for (const name of Object.keys(value)) {
    if (name !== 'host' && name !== 'port')
      reader.problem(`${path}.${name}`, 'is not host or port');
  }
  const host = reader.string(`${path}.host`, value.host);
  if (value.host === undefined) reader.problem(`${path}.host`, 'is required');
  else if (typeof host === 'string' && /\s/.test(host)) {
    reader.problem(`${path}.host`, 'must not contain whitespace');
  }
  const port = reader.integer(`${path}.port`, value.port, 1, 65_535);
  if (value.port === undefined) reader.problem(`${path}.port`, 'is required');
  return host === undefined || port === undefined ? undefined : { host, port };
}

function readAddresses(
  reader: OptionReader,
  name: string,
  value: unknown,
): RedisNodeAddress[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    reader.problem(name, 'must be a non-empty array of { host, port }');
    return undefined;
  }
  const result = value.map((entry, index) => readAddress(reader, `${name}.${index}`, entry));
  return result.every((entry) => entry !== undefined) ? (result as RedisNodeAddress[]) : undefined;
}

function readNatMap(
  reader: OptionReader,
  value: unknown,
): Record<string, RedisNodeAddress> | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) {
    reader.problem('natMap', "must be an object { 'host:port': { host, port } }");
    return undefined;
  }
  const result: Record<string, RedisNodeAddress> = {};
  for (const [from, to] of Object.entries(value)) {
    if (!/^[^\s:]+:\d{1,5}$/.test(from) && !/^\[?[0-9a-fA-F:.]+\]?:\d{1,5}$/.test(from)) {
      reader.problem(`natMap.${from}`, "must be keyed by 'host:port'");
    }
    const address = readAddress(reader, `natMap.${from}`, to);
    if (address !== undefined) result[from] = address;
  }
  return result;
}

function readWaitForReplicas(
  reader: OptionReader,
  value: unknown,
  commandTimeoutMs: number,
): WaitForReplicasOptions | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) {
    reader.problem('waitForReplicas', 'must be an object { replicas, timeoutMs }');
    return undefined;
  }
  for (const name of Object.keys(value)) {
    if (name !== 'replicas' && name !== 'timeoutMs') {
      reader.problem(`waitForReplicas.${name}`, 'is not replicas or timeoutMs');
    }
  }
  let replicas: WaitForReplicasOptions['replicas'] | undefined;
  if (value.replicas === 'attached') replicas = 'attached';
  else if (typeof value.replicas === 'string' && !/^\s*\d+\s*$/.test(value.replicas)) {
    reader.problem(
      'waitForReplicas.replicas',
      `must be an integer from 1 to ${MAX_REPLICAS}, or 'attached'`,
    );
  } else {
    replicas = reader.integer('waitForReplicas.replicas', value.replicas, 1, MAX_REPLICAS);
  }
  const timeoutMs = reader.integer('waitForReplicas.timeoutMs', value.timeoutMs, 1, 600_000);
  if (value.replicas === undefined) reader.problem('waitForReplicas.replicas', 'is required');
  if (value.timeoutMs === undefined) reader.problem('waitForReplicas.timeoutMs', 'is required');
  if (timeoutMs !== undefined && timeoutMs >= commandTimeoutMs) {
    // WAIT is a command like any other: the command timeout would cut it off first.
    reader.problem('waitForReplicas.timeoutMs', 'must be shorter than commandTimeoutMs');
  }
  return replicas === undefined || timeoutMs === undefined ? undefined : { replicas, timeoutMs };
}

/**
 * Reads the options of the Sentinel and Cluster modes and checks that every option given belongs
 * to the chosen mode and that the mode has what it needs (its hosts, the master name), from the
 * options or from the URL, never both.
 */
export function readModeOptions(
  reader: OptionReader,
  input: Record<string, unknown>,
  context: ModeContext,
): Record<string, unknown> {
  const { mode, url } = context;
  for (const [name, modes] of Object.entries(MODE_ONLY)) {
    if (input[name] !== undefined && !modes.includes(mode)) {
      const where = modes.map((m) => `'${m}'`).join(' or ');
      reader.problem(name, `is an option of mode ${where}, not of mode '${mode}'`);
    }
  }
  const options: Record<string, unknown> = {
    sentinels: readAddresses(reader, 'sentinels', input.sentinels),
    name: reader.string('name', input.name),
    sentinelUsername: reader.string('sentinelUsername', input.sentinelUsername),
    sentinelPassword: reader.string('sentinelPassword', input.sentinelPassword),
    failoverDetector: reader.boolean('failoverDetector', input.failoverDetector),
    nodes: readAddresses(reader, 'nodes', input.nodes),
    natMap: readNatMap(reader, input.natMap),
    waitForReplicas: readWaitForReplicas(reader, input.waitForReplicas, context.commandTimeoutMs),
  };
  const needs = (name: string, what: string) => {
    if (url !== undefined && input[name] !== undefined) {
      reader.problem(name, 'cannot be combined with url (the url names them)');
    }
    if (url === undefined && input.url === undefined && input[name] === undefined) {
      reader.problem(name, `is required in mode '${mode}' (${what}), or give a url`);
    }
  };
  if (mode === 'sentinel') {
    needs('sentinels', 'the sentinels to ask for the primary');
    needs('name', 'the master name the sentinels monitor');
  } else if (mode === 'cluster') {
    needs('nodes', 'nodes to discover the cluster from');
  }
  return options;
}
