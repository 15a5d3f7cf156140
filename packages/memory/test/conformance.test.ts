import { registerConformanceSuite } from '@stowage/conformance';
import { createMemoryBackend, createMemoryDriver } from '@stowage/memory';

// The memory driver runs the suite exactly as a third party would run it against its own driver.
const backend = createMemoryBackend();

registerConformanceSuite({
  name: 'memory',
  createStore: (prefix) => createMemoryDriver({ prefix, backend }),
  clearPrefix: async (prefix) => backend.clearPrefix(prefix),
  writeRaw: async (prefix, kind, key, raw) => backend.writeRaw(prefix, kind.namespace, key, raw),
  createUnreachableStore: () => {
    const offline = createMemoryBackend();
    offline.setOffline(true);
    return createMemoryDriver({ backend: offline });
  },
  unreachableTimeoutMs: 100,
});
