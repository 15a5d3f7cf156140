import { createMemoryDriver } from '@stowage/memory';
import type { DriverDefinition } from '../../src/index.js';

/** The options of a made-up third-party driver that holds a secret. */
export interface VaultOptions {
  readonly url: string;
  readonly password: string;
}

/**
 * A third-party driver definition, as a package would export it. Its validation deliberately
 * quotes the password in a message, to prove core scrubs what drivers get wrong.
 */
export const vaultDriverDefinition: DriverDefinition<VaultOptions> = {
  name: 'vault',
  environment: { STOWAGE_VAULT_URL: 'url', STOWAGE_VAULT_PASSWORD: 'password' },
  validateOptions(section) {
    const { url, password } = (section ?? {}) as Partial<VaultOptions>;
    const issues = [];
    if (typeof url !== 'string') issues.push({ path: 'url', message: 'is required' });
    if (typeof password !== 'string' || password.length < 8) {
      issues.push({ path: 'password', message: `is too short: "${String(password)}"` });
    }
    if (issues.length > 0 || typeof url !== 'string' || typeof password !== 'string') {
      return { ok: false, issues };
    }
    return { ok: true, options: { url, password } };
  },
  load:
    async () =>
    (_options, { prefix }) =>
      createMemoryDriver({ prefix }),
};
