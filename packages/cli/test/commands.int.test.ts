import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type RedisServer, startRedisServer } from '@stowage/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, outcomeOf, stowage } from './support/runStowage.js';

// Every command as a user runs it: the built binary in a child process, against one real
// redis-server (password-protected, loopback) shared by the file; each test uses its own prefix.
const PASSWORD = 'cli-Secret-9';
let server: RedisServer;
let dir: string;
let url: string;
let seed: string;
let admin: Redis;

const record = (kind: string, key: string, version: number, body: object, deleted = false) =>
  JSON.stringify({
    kind,
    key,
    version,
    deleted,
    item: JSON.stringify({ key, version, ...(deleted ? { deleted: true } : {}), ...body }),
  });

const SEED = [
  record('features', 'alpha', 3, { on: true }),
  record('features', 'beta', 2, {}, true),
  record('features', 'é ü', 1, { rules: [1, 2] }),
  record('segments', 'admins', 7, { users: ['ann'] }),
];

beforeAll(async () => {
  server = await startRedisServer({
    password: PASSWORD,
    // A user confined to other keys: every conformance case fails for it.
    users: [{ name: 'confined', password: 'confined-pw', rules: ['~elsewhere:*', '+@all'] }],
  });
  url = `redis://:${PASSWORD}@127.0.0.1:${server.port}`;
  dir = await mkdtemp(join(tmpdir(), 'stowage-cli-'));
  seed = join(dir, 'seed.jsonl');
  admin = new Redis({ host: server.host, port: server.port, password: PASSWORD });
  await writeFile(seed, `${SEED.join('\n')}\n`);
});

afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** Writes the seed under `prefix` as the driver lays it out (test set-up, not under test). */
async function seeded(prefix: string): Promise<void> {
  for (const line of SEED) {
    const { kind, key, item } = JSON.parse(line) as { kind: string; key: string; item: string };
    await admin.hset(`${prefix}:${kind}`, key, item);
  }
  await admin.set(`${prefix}:$inited`, '');
}

describe('help and usage', () => {
  it('has --help on every command, with the exit codes', async () => {
    for (const command of ['doctor', 'inspect', 'export', 'import', 'copy', 'conformance']) {
      const run = await stowage([command, '--help']);
      expect(run.code, command).toBe(0);
      expect(run.stdout).toContain(`Usage: stowage ${command}`);
      expect(run.stdout).toContain('3  invalid command line or configuration');
    }
    const inspect = await stowage(['inspect', '--help']);
    expect(inspect.stdout).toContain('--follow (print change events) needs the change feed');
  });

  it('uses the configuration applications use: memory when nothing is set', async () => {
    const run = await stowage(['inspect']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('memory, prefix "stowage": not initialized\nno kinds\n');
  });

  it('answers 3 for an unknown command or option, and for invalid configuration', async () => {
    expect((await stowage(['frobnicate'])).code).toBe(3);
    const bad = await stowage(['inspect', '--nope']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain("unknown option '--nope'");
    const config = await stowage(['inspect'], {
      env: {
        STOWAGE_DRIVER: 'redis',
        STOWAGE_REDIS_URL: `h:1,password=${PASSWORD},allowAdmin=true`,
      },
    });
    expect(config.code).toBe(3);
    expect(config.stderr).toContain('STOWAGE_REDIS_URL: has an unknown part "allowAdmin"');
    expect(config.stderr + config.stdout).not.toContain(PASSWORD);
  });
});

describe('connection strings', () => {
  it('reach the server from STOWAGE_REDIS_URL and from --url, never printing the password', async () => {
    await seeded('cs');
    const connection = `127.0.0.1:${server.port},password=${PASSWORD},ssl=False,abortConnect=False,syncTimeout=2000`;
    for (const env of [
      { STOWAGE_DRIVER: 'redis', STOWAGE_REDIS_URL: connection, STOWAGE_PREFIX: 'cs' },
    ]) {
      const run = await stowage(['inspect', '--json'], { env });
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({
        initialized: true,
        kinds: [{ kind: 'features' }, { kind: 'segments' }],
      });
    }
    const flag = await stowage(['inspect', '-u', connection, '-p', 'cs']);
    expect(flag.code).toBe(0);
    expect(flag.stdout).toContain(
      `redis standalone 127.0.0.1:${server.port} (no TLS, password), prefix "cs": initialized`,
    );
    const wrong = await stowage([
      'inspect',
      '-u',
      `127.0.0.1:${server.port},password=not-it`,
      '-p',
      'cs',
    ]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('the server refused the credentials');
    expect(wrong.stderr + wrong.stdout).not.toContain('not-it');
  });
});

describe('inspect', () => {
  it('shows kinds with counts, sizes and version ranges; a kind; an item; a tombstone', async () => {
    await seeded('insp');
    const kinds = await stowage(['inspect', '-u', url, '-p', 'insp']);
    expect(kinds.code).toBe(0);
    expect(kinds.stdout.split('\n').slice(1, 4)).toEqual([
      'KIND      ITEMS  TOMBSTONES  BYTES  VERSIONS',
      'features  2      1           119    1..3',
      'segments  1      0           44     7..7',
    ]);
    const kind = await stowage(['inspect', 'features', '-u', url, '-p', 'insp']);
    expect(kind.stdout).toBe(
      [
        'KEY    VERSION  STATE      BYTES',
        'alpha  3        item       37',
        'beta   2        tombstone  41',
        'é ü    1        item       41',
        '',
      ].join('\n'),
    );
    const item = await stowage(['inspect', 'features', 'alpha', '-u', url, '-p', 'insp']);
    expect(item.stdout).toBe(
      'features / alpha: version 3\n{\n  "key": "alpha",\n  "version": 3,\n  "on": true\n}\n',
    );
    const tombstone = await stowage([
      'inspect',
      'features',
      'beta',
      '-u',
      url,
      '-p',
      'insp',
      '--json',
    ]);
    expect(JSON.parse(tombstone.stdout)).toEqual({
      kind: 'features',
      key: 'beta',
      version: 2,
      deleted: true,
      item: { key: 'beta', version: 2, deleted: true },
    });
    const missing = await stowage(['inspect', 'features', 'nope', '-u', url, '-p', 'insp']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('stowage: nothing is stored for "nope" in kind "features"\n');
  });
});

describe('export and import', () => {
  it('export -> import --replace -> export is byte-identical, sorted by kind then key', async () => {
    const imported = await stowage(['import', seed, '--replace', '-u', url, '-p', 'exp1']);
    expect(imported.code).toBe(0);
    expect(imported.stderr).toBe('replace: 4 records in 2 kinds\n');
    expect(imported.stdout).toBe(
      `replaced 2 kinds with 4 records on redis standalone 127.0.0.1:${server.port} (no TLS, password), prefix "exp1"\n`,
    );
    const first = await stowage(['export', '-u', url, '-p', 'exp1']);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`${[...SEED].sort().join('\n')}\n`);
    const file = join(dir, 'exp1.jsonl');
    const toFile = await stowage(['export', '-u', url, '-p', 'exp1', '--out', file, '--json']);
    expect(JSON.parse(toFile.stdout)).toMatchObject({ kinds: 2, records: 4, skipped: [] });
    expect(await readFile(file, 'utf8')).toBe(first.stdout);
    expect((await stowage(['import', file, '--replace', '-u', url, '-p', 'exp2'])).code).toBe(0);
    const second = await stowage(['export', '-u', url, '-p', 'exp2']);
    expect(second.stdout).toBe(first.stdout);
  });

  it('export into a reader that stops early (| head) ends quietly with exit 0', async () => {
    // More than a pipe holds (64 KiB), so the export is still writing when the reader leaves.
    const lines = Array.from({ length: 2000 }, (_, i) => {
      const key = `k${String(i).padStart(5, '0')}`;
      const item = JSON.stringify({ key, version: 1, pad: 'x'.repeat(200) });
      return JSON.stringify({ kind: 'features', key, version: 1, deleted: false, item });
    });
    const file = join(dir, 'many.jsonl');
    await writeFile(file, `${lines.join('\n')}\n`);
    expect((await stowage(['import', file, '--replace', '-u', url, '-p', 'pipe'])).code).toBe(0);
    const command = `set -o pipefail; "${process.execPath}" "${BIN}" export -u "${url}" -p pipe | head -1`;
    const piped = await outcomeOf(spawn('bash', ['-c', command], { env: cleanEnv() }));
    expect(piped.stderr).toBe('');
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe(`${lines[0]}\n`);
  });

  it('merges with version checks, reporting applied and skipped', async () => {
    await seeded('merge');
    const newer = [
      record('features', 'alpha', 2, { older: true }), // older than stored 3: skipped
      record('features', 'beta', 2, {}, true), // same version: skipped
      record('features', 'gamma', 1, {}), // new: applied
      record('segments', 'admins', 8, { users: [] }), // newer: applied
    ];
    const file = join(dir, 'merge.jsonl');
    await writeFile(file, `${newer.join('\n')}\n`);
    const dry = await stowage(['import', file, '--dry-run', '-u', url, '-p', 'merge']);
    expect(dry.stdout).toContain('would apply 2, skipped 2');
    const run = await stowage(['import', file, '-u', url, '-p', 'merge', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      mode: 'merge',
      dryRun: false,
      applied: 2,
      skipped: 2,
      badLines: 0,
    });
    const item = await stowage([
      'inspect',
      'features',
      'alpha',
      '-u',
      url,
      '-p',
      'merge',
      '--json',
    ]);
    expect(JSON.parse(item.stdout)).toMatchObject({ version: 3 });
  });

  it('reports bad lines with their numbers and writes nothing, unless --skip-bad', async () => {
    const file = join(dir, 'bad.jsonl');
    const lines = [
      record('features', 'ok', 1, {}),
      JSON.stringify({
        kind: 'features',
        key: 'v',
        version: 1.5,
        deleted: false,
        item: '{"version":1.5}',
      }),
      record('bad:kind', 'k', 1, {}),
      record('other', 'k', 1, {}),
      '{"kind":"features","key":"trunc',
      JSON.stringify({
        kind: 'features',
        key: 'x',
        version: 4,
        deleted: false,
        item: '{"version":5}',
      }),
    ];
    await writeFile(file, `${lines.join('\n')}\n`);
    const run = await stowage(['import', file, '--kinds', 'features,bad', '-u', url, '-p', 'bad']);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')).toEqual([
      `${file}:2: has a "version" that is not a non-negative integer`,
      `${file}:3: has kind "bad:kind", not in --kinds`,
      `${file}:4: has kind "other", not in --kinds`,
      `${file}:5: is not a JSON record (truncated or corrupt)`,
      `${file}:6: The serializedItem of item "x" disagrees with its descriptor (version 5 vs 4, deleted false vs false)`,
      `stowage: 5 bad lines in ${file}: nothing was written (use --skip-bad to leave them out)`,
      '',
    ]);
    expect(
      JSON.parse((await stowage(['inspect', '--json', '-u', url, '-p', 'bad'])).stdout).kinds,
    ).toEqual([]);
    const skip = await stowage([
      'import',
      file,
      '--skip-bad',
      '--kinds',
      'features,bad',
      '-u',
      url,
      '-p',
      'bad',
    ]);
    expect(skip.code).toBe(1);
    expect(skip.stdout).toContain('applied 1, skipped 0');
  });

  it('stops an export at a corrupt stored value naming kind and key, unless --skip-bad', async () => {
    await seeded('corrupt');
    await server.redisCli('HSET', 'corrupt:features', 'broken', 'not json');
    const file = join(dir, 'corrupt.jsonl');
    const run = await stowage(['export', '-u', url, '-p', 'corrupt', '--out', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'stowage: kind "features" holds values that are not valid items: "broken"; nothing was written',
    );
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
    await expect(readFile(`${file}.partial`)).rejects.toThrow(/ENOENT/);
    const skip = await stowage(['export', '-u', url, '-p', 'corrupt', '--skip-bad']);
    expect(skip.code).toBe(1);
    expect(skip.stdout.trim().split('\n')).toHaveLength(4);
    expect(skip.stderr).toContain('skipped unreadable value: kind "features", key "broken"');
  });

  it('asks before replacing data: --yes without a terminal, --dry-run writes nothing', async () => {
    await seeded('confirm');
    const file = join(dir, 'one.jsonl');
    await writeFile(file, `${record('features', 'only', 9, {})}\n`);
    const refused = await stowage(['import', file, '--replace', '-u', url, '-p', 'confirm']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('which holds data: not confirmed. Give --yes');
    const dry = await stowage([
      'import',
      file,
      '--replace',
      '--dry-run',
      '-u',
      url,
      '-p',
      'confirm',
    ]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('would replace 1 kinds');
    expect(
      JSON.parse(
        (await stowage(['inspect', 'features', '--json', '-u', url, '-p', 'confirm'])).stdout,
      ).items,
    ).toHaveLength(3);
    const yes = await stowage(['import', file, '--replace', '--yes', '-u', url, '-p', 'confirm']);
    expect(yes.code).toBe(0);
    const after = JSON.parse(
      (await stowage(['inspect', '--json', '-u', url, '-p', 'confirm'])).stdout,
    );
    // Only the file's kind is replaced; the other kind stays.
    expect(after.kinds.map((k: { kind: string; items: number }) => [k.kind, k.items])).toEqual([
      ['features', 1],
      ['segments', 1],
    ]);
  });
});

describe('copy', () => {
  it('copies between prefixes and verifies counts and checksum; asks before overwriting', async () => {
    await seeded('src');
    const run = await stowage([
      'copy',
      '--from',
      url,
      '--from-prefix',
      'src',
      '--to',
      url,
      '--to-prefix',
      'dst',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ kinds: 2, records: 4, verified: true, sourceChanged: false });
    const exported = await stowage(['export', '-u', url, '-p', 'dst']);
    expect(exported.stdout).toBe(`${[...SEED].sort().join('\n')}\n`);
    const again = await stowage([
      'copy',
      '--from',
      url,
      '--from-prefix',
      'src',
      '--to',
      url,
      '--to-prefix',
      'dst',
    ]);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('not confirmed');
  });

  it('takes a config file on either side; STOWAGE_* variables apply to neither', async () => {
    await seeded('cfgsrc');
    const config = join(dir, 'target.json');
    await writeFile(config, JSON.stringify({ driver: 'redis', prefix: 'cfgdst', redis: { url } }));
    const run = await stowage(['copy', '--from', url, '--from-prefix', 'cfgsrc', '--to', config], {
      env: { STOWAGE_PREFIX: 'ignored', STOWAGE_DRIVER: 'memory' },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`prefix "cfgdst"; verified: 4 records, sha256`);
  });
});

describe('progress on a terminal', () => {
  it('draws a bar on a pseudo-terminal and plain lines otherwise', async () => {
    await seeded('tty');
    // util-linux `script` runs the command on a pseudo-terminal.
    const command = `${process.execPath} ${BIN} export -u ${url} -p tty --out ${join(dir, 'tty.jsonl')} 2>&1`;
    const { stdout } = await promisify(execFile)(
      'script',
      ['-q', '-e', '-c', command, '/dev/null'],
      {
        env: cleanEnv(),
      },
    );
    expect(stdout).toMatch(/features +\[=+\] 3\/3/);
    expect(stdout).toMatch(/segments +\[=+\] 1\/1/);
    const plain = await stowage([
      'export',
      '-u',
      url,
      '-p',
      'tty',
      '--out',
      join(dir, 'plain.jsonl'),
    ]);
    expect(plain.stderr.split('\n').slice(0, 2)).toEqual([
      'features: 3 records',
      'segments: 1 records',
    ]);
  });
});

/** Runs a shell command on a pseudo-terminal (util-linux `script`), answering `answer` to a [y/N]. */
function onTerminal(
  command: string,
  answer: string,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { env: cleanEnv() });
    let output = '';
    let answered = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (!answered && output.includes('[y/N]')) {
        answered = true;
        child.stdin.write(`${answer}\n`);
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('confirmation on a terminal', () => {
  it('asks, and writes only after yes', async () => {
    await seeded('ask');
    const file = join(dir, 'ask.jsonl');
    await writeFile(file, `${record('features', 'only', 9, {})}\n`);
    const command = `${process.execPath} ${BIN} import ${file} --replace -u ${url} -p ask`;
    const no = await onTerminal(command, 'n');
    expect(no.output).toContain('which holds data? [y/N]');
    expect(no.output).toContain('stowage: not confirmed: nothing was written');
    expect(no.code).toBe(3);
    expect(await admin.hlen('ask:features')).toBe(3);
    const yes = await onTerminal(command, 'y');
    expect(yes.code).toBe(0);
    expect(yes.output).toMatch(/replace +\[=+\] 1\/1/);
    expect(await admin.hkeys('ask:features')).toEqual(['only']);
  });
});

describe('conformance', () => {
  it('passes the contract against the server and leaves no key behind', async () => {
    const run = await stowage(['conformance', '-u', url], { timeoutMs: 60_000 });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^pass +listKinds +3 +0 +0$/m);
    expect(run.stdout).toMatch(
      /^\d+ passed, 0 failed, 0 skipped in [\d.]+ s; prefix stowage-conformance-[0-9a-f]{8}-\* removed$/m,
    );
    expect(await server.redisCli('--scan', '--pattern', '*conformance*')).toBe('');
  }, 60_000);

  it('reports failing cases in the table and exits 2', async () => {
    const confined = `redis://confined:confined-pw@127.0.0.1:${server.port}`;
    const run = await stowage(['conformance', '-u', confined], { timeoutMs: 60_000 });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^fail +initialization +0 +13 +0$/m);
    expect(run.stdout).toContain('FAIL initialization > is initialized after init');
    expect(run.stdout).toMatch(/NOPERM/);
  }, 60_000);
});
