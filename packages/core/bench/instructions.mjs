// One scenario of the cache's hot paths, for counting instructions under callgrind (run by
// countInstructions.mjs). Plain JavaScript over the built packages, so that the same file runs
// against any build of core.
//
//   node --expose-gc packages/core/bench/instructions.mjs <scenario> <measured calls>
//
// The measured calls are framed by two calls of os.loadavg(), whose libuv function callgrind
// dumps its counts before (--dump-before=uv_loadavg): the second dump holds the calls alone.
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { loadavg } from 'node:os';

const [scenario = 'typed-hit', countArg = '0'] = process.argv.slice(2);
const count = Number(countArg);
const core = await import(new URL('../dist/index.js', import.meta.url).href);
const memory = await import(new URL('../../memory/dist/index.js', import.meta.url).href);
const rxjs = await import('rxjs');

const KEYS = 5_000;
const flags = core.defineKind('features');
const codec = core.jsonItemCodec();
const backend = memory.createMemoryBackend();
const driver = memory.createMemoryDriver({ prefix: 'cg', backend });
const keys = Array.from({ length: KEYS }, (_, i) => `flag-${String(i).padStart(6, '0')}`);
await driver.init([
  flags.items(
    keys.map((key, i) => ({
      key,
      version: (i % 17) + 1,
      on: i % 2 === 0,
      variations: [true, false],
      targets: [{ values: [`user-${i}-a`, `user-${i}-b`], variation: 0 }],
      description: 'A flag that gates a feature for a slice of users. '.repeat(6),
    })),
  ),
]);
const keyAt = (i) => keys[i % KEYS];

/** Every call a miss: a fresh store (made by `open`) every KEYS calls. */
const missing = (open) => async () => {
  let store;
  return (i) => {
    if (i % KEYS === 0) store = open();
    return store.get(flags, keyAt(i));
  };
};

/** The scenarios over one driver: its own reads, and misses through a raw and a typed cache. */
const overDriver = (bare, open) => ({
  get: async () => (i) => bare.get(flags, keyAt(i)),
  'get-parse': async () => async (i) => {
    const d = await bare.get(flags, keyAt(i));
    return d?.serializedItem === undefined ? undefined : codec.deserialize(d.serializedItem);
  },
  'raw-miss': missing(() => new core.CachingDataStore(open(), { ttl: '1h' })),
  'typed-miss': missing(() => core.wrapDriver(open(), { cache: { ttl: '1h' } })),
});

// Over Redis (a redis-server of its own, not counted: callgrind follows this process only).
async function startRedis() {
  const port = 20_000 + (process.pid % 20_000);
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  process.on('exit', () => server.kill());
  for (let attempt = 0; ; attempt++) {
    const up = await new Promise((resolve) => {
      const socket = createConnection(port, '127.0.0.1', () => resolve(socket.end() && true));
      socket.on('error', () => resolve(false));
    });
    if (up) break;
    if (attempt > 200) throw new Error('redis-server did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const redis = await import(new URL('../../redis/dist/index.js', import.meta.url).href);
  const redisDriver = redis.createRedisDriver({ url: `redis://127.0.0.1:${port}`, prefix: 'cg' });
  await redisDriver.init([
    { kind: flags, items: await driver.getAll(flags).then((all) => [...all]) },
  ]);
  return redisDriver;
}

/** A driver with a change feed that is live and quiet, over `inner`. */
function withFeed(inner) {
  return {
    init: (data) => inner.init(data),
    get: (kind, key) => inner.get(kind, key),
    getAll: (kind) => inner.getAll(kind),
    upsert: (kind, key, descriptor) => inner.upsert(kind, key, descriptor),
    isInitialized: () => inner.isInitialized(),
    isAvailable: () => inner.isAvailable(),
    close: () => inner.close(),
    changeFeed: {
      events$: new rxjs.Subject(),
      live$: new rxjs.BehaviorSubject(true),
      checkInitialized: () => inner.isInitialized(),
    },
  };
}

const [over, name] = scenario.startsWith('redis-')
  ? ['redis', scenario.slice('redis-'.length)]
  : ['memory', scenario];
const subjects = {
  // An awaited async Map lookup of the same parsed objects: the baseline of a hit.
  map: async () => {
    const map = new Map();
    for (const key of keys)
      map.set(key, codec.deserialize((await driver.get(flags, key)).serializedItem));
    const lookup = async (key) => map.get(key);
    return (i) => lookup(keyAt(i));
  },
  'typed-hit': async () => {
    const store = core.wrapDriver(memory.createMemoryDriver({ prefix: 'cg', backend }), {
      cache: { ttl: '1h' },
    });
    for (const key of keys) await store.get(flags, key);
    return (i) => store.get(flags, keyAt(i));
  },
  // The same hit with a live change feed followed: what the feed adds to a hit.
  'typed-hit-feed': async () => {
    const store = core.wrapDriver(withFeed(memory.createMemoryDriver({ prefix: 'cg', backend })), {
      cache: { ttl: '1h' },
    });
    for (const key of keys) await store.get(flags, key);
    if (store.status.feed !== 'live') throw new Error(`the feed is ${store.status.feed}`);
    return (i) => store.get(flags, keyAt(i));
  },
  'typed-hit-infinite': async () => {
    const store = core.wrapDriver(memory.createMemoryDriver({ prefix: 'cg', backend }), {
      cache: { ttl: 'infinite' },
    });
    for (const key of keys) await store.get(flags, key);
    return (i) => store.get(flags, keyAt(i));
  },
};
if (over === 'redis') {
  // One driver (and connection) under every cache, as the Redis cache benchmark does.
  const redisDriver = await startRedis();
  Object.assign(
    subjects,
    overDriver(redisDriver, () => redisDriver),
  );
} else {
  const open = () => memory.createMemoryDriver({ prefix: 'cg', backend });
  Object.assign(subjects, overDriver(driver, open));
}
const make = subjects[name];
if (make === undefined) throw new Error(`unknown scenario ${scenario}`);
const call = await make();
// Warm-up: long enough for the optimizing compiler to have compiled the path.
for (let i = 0; i < 2 * KEYS; i++) await call(i);
// An empty young generation at the start, so that the collections inside the window depend on
// what the calls allocate, not on what the set-up left behind.
globalThis.gc();
loadavg();
for (let i = 0; i < count; i++) await call(2 * KEYS + i);
loadavg();
process.exit(0);
