import { ENGINE_MISSING_VARIABLE, HarnessError, startContainerEngine } from '@stowage/testing';

// Vitest global set-up of the integration tests: one container engine for the whole run, found
// or started here (the main process), so that every worker uses it and it is stopped and cleared
// once at the end. Without one, container tests skip and print this reason; the rest still run.
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  try {
    const engine = await startContainerEngine();
    return () => engine.stop();
  } catch (error) {
    if (!HarnessError.is(error) || error.code !== 'ENGINE_MISSING') throw error;
    process.env[ENGINE_MISSING_VARIABLE] = error.message;
    return undefined;
  }
}
