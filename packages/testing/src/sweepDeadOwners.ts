import { hostname } from 'node:os';
import type { ContainerEngine } from './containerEngine.js';
import { ContainerLabel, runDocker } from './docker.js';
import { isProcessAlive } from './processState.js';

// On globalThis: every copy of this module in one process (one per vitest test file) sweeps once.
const sweptKey = Symbol.for('@stowage/testing/containerSweep');

/**
 * Once per process and engine: removes the containers of this package whose owner (a test process
 * on this machine) has died without stopping them. Containers of live owners, other machines' and
 * everything not labelled by this package are left alone.
 */
export async function sweepDeadOwners(
  engine: ContainerEngine,
  options: { readonly force?: boolean } = {},
): Promise<void> {
  const holder = globalThis as { [sweptKey]?: Set<string> };
  holder[sweptKey] ??= new Set();
  if (holder[sweptKey].has(engine.dockerHost) && options.force !== true) return;
  holder[sweptKey].add(engine.dockerHost);
  const listing = await runDocker(engine.dockerHost, [
    'ps',
    '-a',
    '--filter',
    `label=${ContainerLabel.ownerPid}`,
    '--format',
    `{{.ID}} {{.Label "${ContainerLabel.ownerPid}"}} {{.Label "${ContainerLabel.ownerHost}"}}`,
  ]);
  const stale = listing
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([id, owner, host]) => id && host === hostname() && !isProcessAlive(Number(owner)))
    .map(([id]) => id!);
  if (stale.length > 0) await runDocker(engine.dockerHost, ['rm', '-f', '-v', ...stale]);
}
