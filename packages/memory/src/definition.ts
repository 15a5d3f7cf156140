// The memory driver's definition on its own, as core imports it when configuration selects
// `driver: 'memory'`; the driver itself is loaded by `load()`.
export { type MemoryDriverConfig, memoryDriverDefinition } from './memoryDriverDefinition.js';
