export type { ConformanceTarget, CreateStoreOptions } from './ConformanceTarget.js';
export { registerConformanceSuite } from './registerConformanceSuite.js';
