import { hostname } from 'node:os';
import type { ContainerEngine } from './containerEngine.js';
import { ContainerLabel, runDocker } from './docker.js';
import { isProcessAlive } from './processState.js';
import { processWide } from './processWide.js';

/**
 * Once per process and engine: removes the containers of this package whose owner (a test process
 * on this machine) has died without stopping them. Containers of live owners, other machines' and
 * everything not labelled by this package are left alone.
 */
export async function sweepDeadOwners(
  engine: ContainerEngine,
  options: { readonly force?: boolean } = {},
): Promise<void> {
  const swept = processWide('@stowage/testing/containerSweep', () => new Set<string>());
  if (swept.has(engine.dockerHost) && options.force !== true) return;
  swept.add(engine.dockerHost);
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
