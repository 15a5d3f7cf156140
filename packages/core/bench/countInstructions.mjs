// Instructions per call of the cache's hot paths, counted by callgrind: unlike time, the count
// is the same on a loaded machine, so it gives a stable before/after. Each scenario of
// instructions.mjs runs once; callgrind dumps its counts when the measured calls start and when
// they end (see instructions.mjs), and the second dump divided by N is the cost of one call,
// the benchmark loop's own `await` included (the `map` scenario is that loop around a Map lookup).
// Scenarios over Redis start a redis-server of their own and make a tenth of the calls.
//
//   pnpm build && node packages/core/bench/countInstructions.mjs [N] [scenario ...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Without these, garbage collection and compilation run on timers and background threads, and
// the count of the same run varies by several percent; with them, by a fraction of one.
const NODE_FLAGS = ['--predictable', '--predictable-gc-schedule', '--random-seed=1', '--expose-gc'];
const script = fileURLToPath(new URL('./instructions.mjs', import.meta.url));
const [nArg, ...named] = process.argv.slice(2);
const n = Number(nArg ?? 300_000);
const scenarios =
  named.length > 0
    ? named
    : [
        'map',
        'typed-hit',
        'typed-hit-feed',
        'get',
        'raw-miss',
        'get-parse',
        'typed-miss',
        'redis-get',
        'redis-raw-miss',
        'redis-get-parse',
        'redis-typed-miss',
      ];

function perCall(scenario) {
  const dir = mkdtempSync(join(tmpdir(), 'callgrind-'));
  try {
    const { stderr, status } = spawnSync(
      'valgrind',
      [
        '--tool=callgrind',
        '--dump-before=uv_loadavg',
        `--callgrind-out-file=${join(dir, 'out')}`,
        process.execPath,
        ...NODE_FLAGS,
        script,
        scenario,
        String(scenario.startsWith('redis-') ? Math.round(n / 10) : n),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] },
    );
    if (status !== 0) throw new Error(`${scenario} failed:\n${stderr}`);
    const match = /^totals:\s*(\d+)/m.exec(readFileSync(join(dir, 'out.2'), 'utf8'));
    if (match === null) throw new Error(`no instruction count for ${scenario}`);
    return Number(match[1]) / (scenario.startsWith('redis-') ? Math.round(n / 10) : n);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`| scenario | instructions per call (N = ${n}) |`);
console.log('|---|---|');
for (const scenario of scenarios) {
  console.log(`| ${scenario} | ${Math.round(perCall(scenario)).toLocaleString('en-US')} |`);
}
