import { StowageError } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import { resolvePostgresSettings } from '../src/connection/postgresSettings.js';
import { postgresDriverDefinition } from '../src/definition.js';
import { validatePostgresOptions } from '../src/index.js';

describe('options of the postgres driver', () => {
  it('accept the string forms variables arrive in', () => {
    expect(
      validatePostgresOptions({
        port: '6543',
        createTables: 'true',
        tls: { rejectUnauthorized: 'false' },
      }),
    ).toEqual({
      ok: true,
      options: { port: 6543, createTables: true, tls: { rejectUnauthorized: false } },
    });
  });

  it('report every problem at once, with its path, never the value', () => {
    const result = validatePostgresOptions({
      url: 'redis://u:hunter2@h',
      table: 'a.b.c',
      poolSize: 0,
      tls: { ca: 1 },
      other: true,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((issue) => issue.path).sort()).toEqual([
      '',
      'poolSize',
      'table',
      'tls.ca',
      'url',
    ]);
    expect(JSON.stringify(result.issues)).not.toContain('hunter2');
  });

  it('route every STOWAGE_POSTGRES_* variable to an option the schema knows', () => {
    for (const [name, path] of Object.entries(postgresDriverDefinition.environment)) {
      expect(name.startsWith('STOWAGE_POSTGRES_')).toBe(true);
      const [head, tail] = path.split('.');
      const value = tail === undefined ? { [head as string]: undefined } : { [head as string]: {} };
      expect(validatePostgresOptions(value).ok, name).toBe(true);
    }
  });

  it('let explicit options win over the URL, and keep TLS verification on by default', () => {
    const settings = resolvePostgresSettings({
      url: 'postgresql://u:p%40ss@db:5433/app?sslmode=require',
      user: 'other',
      table: 'custom',
    });
    expect(settings.client).toMatchObject({
      host: 'db',
      port: 5433,
      database: 'app',
      user: 'other',
      password: 'p@ss',
    });
    expect(settings.client.ssl).toEqual({ rejectUnauthorized: true });
    expect(settings.table).toBe('"public"."custom"');
    expect(settings.secrets).toContain('p@ss');
  });

  it('refuse a prefix or a pool in the configuration section', () => {
    const result = postgresDriverDefinition.validateOptions({ prefix: 'p' });
    expect(result.ok).toBe(false);
    expect(() =>
      resolvePostgresSettings({ tls: { enabled: true }, url: 'postgres://h/d?sslmode=disable' }),
    ).toThrow(StowageError);
  });
});
