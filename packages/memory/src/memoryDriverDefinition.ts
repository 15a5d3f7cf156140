import type { DriverDefinition } from '@stowage/core/driver';
import type { MemoryBackend } from './createMemoryBackend.js';

/** The options of the memory driver's section of the configuration (`memory: { ... }`). */
export interface MemoryDriverConfig {
  /** Storage to share between stores, e.g. between an app and its test's assertions. */
  readonly backend?: MemoryBackend;
}

const isBackend = (value: unknown): value is MemoryBackend =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as MemoryBackend).prefixData === 'function';

/** Makes the memory driver selectable by configuration as `driver: 'memory'`. */
export const memoryDriverDefinition: DriverDefinition<MemoryDriverConfig> = {
  name: 'memory',
  environment: {},
  validateOptions(section) {
    if (section === undefined) return { ok: true, options: {} };
    if (typeof section !== 'object' || section === null) {
      return { ok: false, issues: [{ path: '', message: 'must be an object' }] };
    }
    const { backend, ...rest } = section as { backend?: unknown };
    const issues = Object.keys(rest).map((name) => ({
      path: name,
      message: 'is not an option of the memory driver',
    }));
    if (backend !== undefined && !isBackend(backend)) {
      issues.push({ path: 'backend', message: 'must come from createMemoryBackend()' });
    }
    if (issues.length > 0) return { ok: false, issues };
    return { ok: true, options: isBackend(backend) ? { backend } : {} };
  },
  // Imported on selection only, as every driver's implementation is (see DriverDefinition).
  async load() {
    const { createMemoryDriver } = await import('./createMemoryDriver.js');
    return (options, { prefix }) =>
      createMemoryDriver(
        options.backend === undefined ? { prefix } : { prefix, backend: options.backend },
      );
  },
};
