import { describe } from 'vitest';
import type { ConformanceTarget } from './ConformanceTarget.js';
import { concurrencyCases } from './cases/concurrencyCases.js';
import { feedCases } from './cases/feedCases.js';
import { foreignValueCases } from './cases/foreignValueCases.js';
import { initializationCases } from './cases/initializationCases.js';
import { isolationCases } from './cases/isolationCases.js';
import { lifecycleCases } from './cases/lifecycleCases.js';
import { listKindsCases } from './cases/listKindsCases.js';
import { outageCases } from './cases/outageCases.js';
import { prefixCases } from './cases/prefixCases.js';
import { readCases } from './cases/readCases.js';
import { validationCases } from './cases/validationCases.js';
import { writeCases } from './cases/writeCases.js';
import { createSuiteContext } from './SuiteContext.js';

/**
 * Registers the store contract as a vitest suite for one driver. Call it at the top level of a
 * test file. Cases that need an optional factory of the target (raw writes, an unreachable store,
 * the upsert hook) are registered only when the target provides it; cases of an optional capability
 * of the store (`listKinds`, `changeFeed`) are skipped, with the reason, when its stores lack it.
 */
export function registerConformanceSuite(target: ConformanceTarget): void {
  describe(`store contract: ${target.name}`, () => {
    const context = createSuiteContext(target);
    initializationCases(context);
    readCases(context);
    writeCases(context);
    prefixCases(context);
    concurrencyCases(context);
    validationCases(context);
    isolationCases(context);
    lifecycleCases(context);
    listKindsCases(context);
    foreignValueCases(context);
    outageCases(context);
    feedCases(context);
  });
}
