import { HarnessError, HarnessErrorCode } from './HarnessError.js';
import type { ContainerNetwork } from './inspectContainer.js';
import type { PartitionScope } from './RedisContainer.js';
import { iptablesBinary, runInNetwork } from './runInNetwork.js';

/** The partition faults of one container (see `RedisContainer.partition`). */
export interface ContainerPartition {
  /** Drops packets entering the container, from everywhere or only from other containers. */
  partition(scope: PartitionScope): Promise<void>;
  /** Removes the rules of the partition in place, if any. */
  heal(): Promise<void>;
  /** Forgets the rules without removing them: a killed container's namespace took them along. */
  forget(): void;
}

/**
 * Partitions a container with iptables rules written inside its own network namespace, so the
 * host's firewall is never touched. `where` tells where the container runs now (it changes on
 * restart); a pid of 0 means it cannot be entered from this machine.
 */
export function containerPartition(
  name: string,
  where: () => { readonly pid: number; readonly network: ContainerNetwork },
): ContainerPartition {
  /** The rules in place (arguments after -I/-D), in the order they were inserted. */
  let inPlace: string[][] = [];
  const apply = async (action: '-I' | '-D', rules: string[][]) => {
    const { pid } = where();
    if (pid === 0) {
      throw new HarnessError(
        HarnessErrorCode.InvalidOptions,
        `${name} has no process on this machine to enter (engine elsewhere, or not running)`,
      );
    }
    try {
      // -I inserts at the top, so the rules go in reversed to end up in order.
      for (const rule of action === '-I' ? [...rules].reverse() : rules) {
        await runInNetwork(pid, iptablesBinary(), [action, ...rule]);
      }
    } catch (error) {
      throw new HarnessError(
        HarnessErrorCode.CommandFailed,
        `${action === '-D' ? 'heal' : 'partition'} of ${name} failed: ${(error as { stderr?: string }).stderr ?? String(error)}`,
        { cause: error },
      );
    }
  };
  return {
    async partition(scope) {
      const { network } = where();
      const rules =
        scope === 'all'
          ? [['INPUT', '-j', 'DROP']]
          : // Other containers come from the network's addresses; this machine (its clients, and
            // docker-proxy carrying the published port) from the gateway, which stays allowed.
            [
              ['INPUT', '-s', `${network.gateway}/32`, '-j', 'ACCEPT'],
              ['INPUT', '-s', `${network.ip}/${network.prefixLength}`, '-j', 'DROP'],
            ];
      await apply('-I', rules);
      inPlace = rules;
    },
    async heal() {
      if (inPlace.length === 0) return;
      await apply('-D', inPlace);
      inPlace = [];
    },
    forget() {
      inPlace = [];
    },
  };
}
