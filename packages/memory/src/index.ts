export {
  createMemoryBackend,
  type MemoryBackend,
  type MemoryEntry,
  type MemoryPrefixData,
} from './createMemoryBackend.js';
export type { MemoryChange, MemoryChangeHub } from './createMemoryChangeHub.js';
export { createMemoryDriver, type MemoryDriverOptions } from './createMemoryDriver.js';
export { type MemoryDriverConfig, memoryDriverDefinition } from './memoryDriverDefinition.js';
