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

  it('refuse URLs whose settings the driver would not follow, naming the parameter', () => {
    const problems = (url: string) => {
      const result = validatePostgresOptions({ url });
      return result.ok ? [] : result.issues.map((issue) => `${issue.path}: ${issue.message}`);
    };
    const base = 'postgresql://app:hunter2@db/app';
    for (const mode of ['prefer', 'allow']) {
      expect(problems(`${base}?sslmode=${mode}`)).toEqual([
        expect.stringMatching(new RegExp(`^url: sslmode=${mode} falls back to a plain`)),
      ]);
    }
    expect(problems(`${base}?sslmode=no-verify`)).toEqual([
      expect.stringContaining('an sslmode the driver does not know'),
    ]);
    expect(problems(`${base}?sslmode=require&sslrootcert=/ca.pem&connect_timeout=3`)).toEqual([
      expect.stringContaining('(sslrootcert, connect_timeout)'),
    ]);
    expect(problems('postgresql://app:%ZZ@db/app')).toEqual([
      expect.stringContaining('malformed percent-encoding'),
    ]);
    expect(problems('postgresql://app:hunter2@db/%E0%A4%A')).toHaveLength(1);
    for (const mode of ['disable', 'require', 'verify-ca', 'verify-full']) {
      expect(problems(`${base}?sslmode=${mode}`), mode).toEqual([]);
    }
    expect(JSON.stringify(problems(`${base}?sslrootcert=x`))).not.toContain('hunter2');
  });

  it('refuse a prefix or a pool in the configuration section', () => {
    const result = postgresDriverDefinition.validateOptions({ prefix: 'p' });
    expect(result.ok).toBe(false);
    expect(() =>
      resolvePostgresSettings({ tls: { enabled: true }, url: 'postgres://h/d?sslmode=disable' }),
    ).toThrow(StowageError);
  });
});
