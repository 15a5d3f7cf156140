import { z } from 'zod';
import {
  REDIS_DEFAULTS,
  type RedisDriverOptions,
  type RedisMode,
  type RedisTlsOptions,
  type UpsertStrategy,
} from '../RedisDriverOptions.js';
import {
  addressList,
  client,
  failed,
  flag,
  hook,
  hostName,
  integer,
  isRecord,
  LIMITS,
  natMap,
  oneOf,
  prefix,
  problem,
  record,
  text,
  tls,
  waitForReplicas,
} from './optionFields.js';
import type { RedisUrlParts } from './parseRedisUrl.js';
import { type RedisSettings, settingsOf } from './redisSettings.js';

/** The `url` option, read before the schema runs: what it says decides the mode, so the schema. */
export interface UrlReading {
  /** The option as given (a secret: it may carry a password). */
  readonly text: string;
  /** Undefined when the option is not a non-empty string. */
  readonly form: 'URL' | 'connection string' | undefined;
  /** What it says, or what is wrong with it. */
  readonly parts: RedisUrlParts | string;
}

/** What a valid section yields: the options as given (string forms converted), and the settings. */
export interface ReadRedisOptions {
  readonly options: RedisDriverOptions;
  readonly settings: RedisSettings;
}

export const MODES: ReadonlyArray<RedisMode> = ['standalone', 'sentinel', 'cluster'];
const STRATEGIES: ReadonlyArray<UpsertStrategy> = ['auto', 'script', 'watch'];

// The URL arrives read (see UrlReading): its problem, if any, is reported where the option is.
const url = z.custom<UrlReading>().transform((reading, ctx) => {
  if (typeof reading.parts === 'string') problem(ctx, reading.parts);
  return reading;
});

const COMMON = {
  url: url.optional(),
  mode: oneOf(MODES).optional(),
  username: text.optional(),
  password: text.optional(),
  tls: tls.optional(),
  prefix: prefix.optional(),
  connectTimeoutMs: integer(LIMITS.timeoutMs).optional(),
  commandTimeoutMs: integer(LIMITS.timeoutMs).optional(),
  upsertStrategy: oneOf(STRATEGIES).optional(),
  upsertHook: hook.optional(),
  maxUpsertAttempts: integer(LIMITS.maxUpsertAttempts).optional(),
  waitForReplicas: waitForReplicas.optional(),
  trackForeignWrites: flag.optional(),
};

/** The options of each mode. One of another mode is an error: the mode is never guessed. */
const SHAPES = {
  standalone: {
    ...COMMON,
    host: hostName.optional(),
    port: integer(LIMITS.port).optional(),
    db: integer(LIMITS.db).optional(),
    client: client.optional(),
  },
  sentinel: {
    ...COMMON,
    db: integer(LIMITS.db).optional(),
    sentinels: addressList.optional(),
    name: text.optional(),
    sentinelUsername: text.optional(),
    sentinelPassword: text.optional(),
    failoverDetector: flag.optional(),
  },
  cluster: { ...COMMON, nodes: addressList.optional(), natMap: natMap.optional() },
} as const;

type OptionName = { [M in RedisMode]: keyof (typeof SHAPES)[M] }[RedisMode];
/**
 * A section as the option schemas leave it: options converted, and any option that failed holds
 * zod's `NEVER` marker (see `failed`), so the rules below check a value before they trust it.
 */
interface Section {
  readonly [option: string]: unknown;
  readonly url?: UrlReading;
  readonly tls?: boolean | RedisTlsOptions;
}

/** The option names of each mode. */
export const MODE_OPTIONS: Readonly<Record<RedisMode, ReadonlyArray<string>>> = {
  standalone: Object.keys(SHAPES.standalone),
  sentinel: Object.keys(SHAPES.sentinel),
  cluster: Object.keys(SHAPES.cluster),
};

/** Every option name of every mode. */
export const OPTION_NAMES: ReadonlySet<string> = new Set(Object.values(MODE_OPTIONS).flat());

/** Where a URL or connection string names the servers, these options cannot be given too. */
const SERVER_OPTIONS: Readonly<Record<RedisMode, ReadonlyArray<OptionName>>> = {
  standalone: ['host', 'port'],
  sentinel: ['sentinels', 'name'],
  cluster: ['nodes'],
};
/** What each mode needs when no URL is given. */
const REQUIRED: Readonly<Record<RedisMode, ReadonlyArray<[OptionName, string]>>> = {
  standalone: [],
  sentinel: [
    ['sentinels', 'the sentinels to ask for the primary'],
    ['name', 'the master name the sentinels monitor'],
  ],
  cluster: [['nodes', 'nodes to discover the cluster from']],
};
/** Settings a URL form may carry besides the servers: none may be given again as an option. */
const URL_SETTINGS = [
  'username',
  'password',
  'db',
  'sentinelUsername',
  'sentinelPassword',
  'connectTimeoutMs',
  'commandTimeoutMs',
] as const;
/** Options that describe a connection: meaningless next to a client handed in. */
const CONNECTION_OPTIONS = ['url', 'host', 'port', 'username', 'password', 'db', 'tls'] as const;

const unknownOption = (mode: RedisMode) => (name: string) => {
  const modes = MODES.filter((other) => MODE_OPTIONS[other].includes(name));
  if (modes.length === 0) return 'is not an option of the redis driver';
  return `is an option of mode ${modes.map((m) => `'${m}'`).join(' or ')}, not of mode '${mode}'`;
};

/** Rules between options (and the URL): checked even when some options failed on their own. */
function checkCombinations(mode: RedisMode, section: Section, ctx: z.RefinementCtx): void {
  const given = (name: OptionName) => section[name] !== undefined;
  const say = (path: string, message: string) => problem(ctx, message, path.split('.'));
  if (given('client')) {
    for (const name of CONNECTION_OPTIONS) {
      if (!given(name)) continue;
      say(name, 'cannot be combined with client (the client brings its connection)');
    }
  }
  const reading = section.url;
  if (reading === undefined) {
    for (const [name, what] of REQUIRED[mode]) {
      if (!given(name)) say(name, `is required in mode '${mode}' (${what}), or give a url`);
    }
  } else if (reading.form !== undefined) {
    for (const name of SERVER_OPTIONS[mode]) {
      if (given(name)) say(name, 'cannot be combined with url (the url names them)');
    }
  }
  const parts = typeof reading?.parts === 'object' ? reading.parts : undefined;
  if (reading !== undefined && parts !== undefined) checkUrl(mode, section, reading, parts, say);
  const waitMs = isRecord(section.waitForReplicas) ? section.waitForReplicas.timeoutMs : undefined;
  const commandTimeoutMs =
    typeof section.commandTimeoutMs === 'number'
      ? section.commandTimeoutMs
      : (parts?.commandTimeoutMs ?? REDIS_DEFAULTS.commandTimeoutMs);
  // WAIT is a command like any other: the command timeout would cut it off first.
  if (typeof waitMs === 'number' && waitMs >= commandTimeoutMs) {
    say('waitForReplicas.timeoutMs', 'must be shorter than commandTimeoutMs');
  }
}

/** Rules between the options and what the URL or connection string says. */
function checkUrl(
  mode: RedisMode,
  section: Section,
  reading: UrlReading,
  parts: RedisUrlParts,
  say: (path: string, message: string) => void,
): void {
  // The schema is the URL's mode unless `mode` says otherwise: then that is the one problem.
  if (parts.mode !== undefined && parts.mode !== mode) {
    say('url', `is a ${parts.mode} ${reading.form}, but mode is '${mode}'`);
    return;
  }
  if (parts.mode === undefined && parts.endpoints.length > 1 && mode !== 'cluster') {
    say(
      'url',
      "names several endpoints: state mode 'cluster' (STOWAGE_REDIS_MODE=cluster), or give serviceName for Sentinel",
    );
  } else if (parts.mode === undefined && mode === 'sentinel') {
    say('url', 'must name the master with serviceName in mode sentinel');
  }
  for (const name of URL_SETTINGS) {
    if (parts[name] === undefined) continue;
    if (!MODE_OPTIONS[mode].includes(name)) {
      say('url', `gives ${name}, which is not an option of mode '${mode}'`);
    } else if (section[name] !== undefined) say(name, 'is also given in url: give it once');
  }
  checkUrlTls(reading, parts, section.tls, say);
}

/**
 * A `rediss://` URL turns TLS on; `tls` may add to it (a private CA), never turn it off. A
 * connection string's `ssl` and `sslHost` likewise combine with TLS settings given as options,
 * but never with a second `tls`, `tls.enabled` or `tls.servername`.
 */
function checkUrlTls(
  reading: UrlReading,
  parts: RedisUrlParts,
  given: boolean | RedisTlsOptions | undefined,
  say: (path: string, message: string) => void,
): void {
  if (parts.tls === undefined || given === undefined || failed(given)) return;
  if (reading.form === 'URL') {
    if (parts.tls && (given === false || (typeof given === 'object' && given.enabled === false))) {
      say('tls', 'turns TLS off, but the url is rediss:// (TLS)');
    }
  } else if (typeof given !== 'object') {
    say('tls', 'is also given in url (ssl): give it once');
  } else {
    for (const [name, value] of Object.entries(given)) {
      if (value === undefined) continue;
      if (name === 'enabled') say('tls.enabled', 'is also given in url (ssl): give it once');
      else if (name === 'servername' && parts.servername !== undefined) {
        say('tls.servername', 'is also given in url (sslHost): give it once');
      } else if (!parts.tls) {
        say(`tls.${name}`, 'is given while TLS is turned off (ssl=False in url)');
      }
    }
  }
}

/**
 * The options as the application gave them, string forms converted. A URL stays as it is; a
 * connection string is spelled out as the options it stands for.
 */
function driverOptions(mode: RedisMode, section: Section): RedisDriverOptions {
  const { url: reading, ...given } = section;
  if (reading === undefined) return given as RedisDriverOptions;
  const parts = reading.parts as RedisUrlParts;
  if (reading.form === 'URL') return { ...given, url: reading.text } as RedisDriverOptions;
  const { endpoints, tls: ssl, servername, name, mode: named, ...settings } = parts;
  const servers =
    mode === 'sentinel'
      ? { sentinels: endpoints, name }
      : mode === 'cluster'
        ? { nodes: endpoints }
        : { host: endpoints[0]?.host, port: endpoints[0]?.port };
  const tls =
    ssl === undefined
      ? given.tls
      : typeof given.tls === 'object'
        ? { ...given.tls, enabled: ssl, ...(servername === undefined ? {} : { servername }) }
        : servername === undefined
          ? ssl
          : { enabled: ssl, servername };
  return {
    ...given,
    ...(named === undefined ? {} : { mode: named }),
    ...settings,
    ...servers,
    ...(tls === undefined ? {} : { tls }),
  } as RedisDriverOptions;
}

const modeSchema = (mode: RedisMode) =>
  record(SHAPES[mode], 'an object of options', unknownOption(mode))
    .superRefine((section, ctx) => checkCombinations(mode, section as Section, ctx), {
      when: () => true,
    })
    .transform((section): ReadRedisOptions => {
      const options = driverOptions(mode, section as Section);
      const reading = (section as Section).url;
      const fromUrl = reading?.form === 'URL' ? (reading.parts as RedisUrlParts) : undefined;
      return { options, settings: settingsOf(mode, options, fromUrl) };
    });

/**
 * One schema per mode: each validates a section of that mode completely (every problem, each
 * with its path) and yields the options and the settings the driver runs with.
 */
export const REDIS_OPTION_SCHEMAS: Readonly<
  Record<RedisMode, z.ZodType<ReadRedisOptions, unknown>>
> = {
  standalone: modeSchema('standalone'),
  sentinel: modeSchema('sentinel'),
  cluster: modeSchema('cluster'),
};
