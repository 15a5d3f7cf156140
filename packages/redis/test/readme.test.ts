import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LIMITS, TLS_SETTINGS } from '../src/options/optionFields.js';
import { MODE_OPTIONS } from '../src/options/redisOptionSchemas.js';
import { REDIS_DEFAULTS } from '../src/RedisDriverOptions.js';
import { redisDriverDefinition } from '../src/redisDriverDefinition.js';

// The README's option tables are what users configure from: they must name every option of the
// schemas, each variable of the definition, and the defaults and ranges the code applies.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The rows of the table under `### heading`, by option name, each as its cells by column. */
function table(heading: string): Map<string, Record<string, string>> {
  const lines = readme.split('\n');
  const start = lines.indexOf(`### ${heading}`);
  expect(start, heading).toBeGreaterThan(0);
  const rows = lines.slice(start + 1);
  const first = rows.findIndex((line) => line.startsWith('|'));
  const end = rows.findIndex((line, index) => index > first && !line.startsWith('|'));
  const cells = (line: string) =>
    line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((cell) => cell.trim());
  const [header = [], , ...body] = rows.slice(first, end).map(cells);
  return new Map(
    body.map((row) => [
      (row[0] ?? '').replaceAll('`', ''),
      Object.fromEntries(header.map((column, index) => [column, row[index] ?? ''])),
    ]),
  );
}

const TABLES = ['Every mode', 'TLS settings', 'Standalone', 'Sentinel', 'Cluster'] as const;
const modeOnly = (mode: keyof typeof MODE_OPTIONS) =>
  MODE_OPTIONS[mode].filter((name) => !everyMode.includes(name));
const everyMode = MODE_OPTIONS.standalone.filter(
  (name) => MODE_OPTIONS.sentinel.includes(name) && MODE_OPTIONS.cluster.includes(name),
);

describe('the README options tables', () => {
  it('list every option of each mode, and nothing else', () => {
    const names = (heading: (typeof TABLES)[number]) => [...table(heading).keys()].sort();
    expect(names('Every mode')).toEqual([...everyMode].sort());
    expect(names('TLS settings')).toEqual(TLS_SETTINGS.map((name) => `tls.${name}`).sort());
    expect(names('Standalone')).toEqual(modeOnly('standalone').sort());
    expect(names('Sentinel')).toEqual(modeOnly('sentinel').sort());
    expect(names('Cluster')).toEqual(modeOnly('cluster').sort());
  });

  it('give each option the STOWAGE_REDIS_* variable that sets it', () => {
    const documented = new Set<string>();
    for (const heading of TABLES) {
      for (const [name, row] of table(heading)) {
        const variables = row.variable?.match(/STOWAGE_REDIS_[A-Z_]+/g) ?? [];
        const expected = Object.entries(redisDriverDefinition.environment)
          .filter(([, option]) => option === name)
          .map(([variable]) => variable);
        expect(variables, name).toEqual(expected);
        for (const variable of variables) documented.add(variable);
      }
    }
    expect([...documented].sort()).toEqual(Object.keys(redisDriverDefinition.environment).sort());
  });

  it('state the defaults and ranges the code applies', () => {
    const rows = TABLES.flatMap((heading) => [...table(heading)]);
    const rowsOf = (name: string) => rows.filter(([option]) => option === name);
    for (const [name, value] of Object.entries(REDIS_DEFAULTS)) {
      expect(rowsOf(name).length, name).toBeGreaterThan(0);
      for (const [, row] of rowsOf(name)) expect(row.default, name).toContain(`\`${value}\``);
    }
    const limited: Record<keyof typeof LIMITS, string[]> = {
      port: ['port'],
      db: ['db'],
      timeoutMs: ['connectTimeoutMs', 'commandTimeoutMs'],
      maxUpsertAttempts: ['maxUpsertAttempts'],
      replicas: ['waitForReplicas'],
    };
    for (const [limit, names] of Object.entries(limited)) {
      const { min, max } = LIMITS[limit as keyof typeof LIMITS];
      for (const [name, row] of names.flatMap(rowsOf)) {
        expect(Object.values(row).join(' '), name).toContain(`${min}–${max}`);
      }
    }
  });
});
