import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerFile } from './ContainerSpec.js';
import { linkLoopbackMesh } from './containerMesh.js';
import { HarnessError, HarnessErrorCode } from './HarnessError.js';
import { type LaunchedContainer, launchRedisContainer } from './launchRedisContainer.js';
import { allocatePorts, releasePorts } from './portPool.js';
import { prepareContainers } from './startRedisContainer.js';
import type { TlsOptions } from './TlsOptions.js';
import { createWorkDir, removeWorkDir } from './workDir.js';

/** How one member of a topology runs. */
export interface MemberSpec {
  /** For names and folders: `node`, `sentinel`... */
  readonly role: string;
  /** Published on 127.0.0.1 and listened on inside the container too. */
  readonly port: number;
  readonly command: readonly string[];
  readonly password: string | undefined;
  readonly files?: readonly ContainerFile[];
  /** Further ports it listens on that the other members reach (a cluster bus port). */
  readonly extraPorts?: readonly number[];
  /** The log line that means started (default: Redis's "Ready to accept connections"). */
  readonly readyLog?: RegExp;
}

/** Several containers that reach each other at loopback addresses; see {@link linkLoopbackMesh}. */
export interface ContainerTopology {
  /** The members started so far, in the order they came up. */
  readonly members: LaunchedContainer[];
  /** Leases `count` ports for the topology; they are released by {@link ContainerTopology.stop}. */
  leasePorts(count: number): Promise<number[]>;
  /** Starts a member; after a restart it is linked into the mesh again by itself. */
  launch(member: MemberSpec): Promise<LaunchedContainer>;
  /** Writes the mesh into every running member (after the members a step needs have started). */
  relink(): Promise<void>;
  /** Removes every member, the folder and the ports. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The shared part of a multi-container topology (Sentinel group, cluster): engine and image, one
 * folder, leased ports, members launched with the same life cycle as a lone container, and the
 * loopback mesh between them. `kind` names the topology in errors and folders. No TLS.
 */
export async function startContainerTopology(
  kind: string,
  tls: TlsOptions | undefined,
  startTimeoutMs: number,
): Promise<ContainerTopology> {
  if (tls !== undefined) {
    throw new HarnessError(
      HarnessErrorCode.InvalidOptions,
      `${kind} in containers have no TLS; use the process provider for TLS`,
    );
  }
  const { engine, image } = await prepareContainers(undefined);
  const root = await createWorkDir(`${kind.toLowerCase().replace(/\W+/g, '-')}-container`);
  const members: LaunchedContainer[] = [];
  const extraPorts = new Map<number, readonly number[]>();
  const ports: number[] = [];
  let stopped = false;
  const relink = () => linkLoopbackMesh(members, extraPorts);
  return {
    members,
    async leasePorts(count) {
      const leased = await allocatePorts(count);
      ports.push(...leased);
      return leased;
    },
    async launch(member) {
      const dir = join(root, `${member.role}-${member.port}`);
      await mkdir(dir);
      if (member.extraPorts !== undefined) extraPorts.set(member.port, member.extraPorts);
      let launched = false;
      const container = await launchRedisContainer({
        engine,
        image,
        name: `${member.role} container 127.0.0.1:${member.port}`,
        port: member.port,
        containerPort: member.port,
        command: member.command,
        files: member.files ?? [],
        dir,
        password: member.password,
        users: undefined,
        certificates: undefined,
        memoryLimitMb: undefined,
        startTimeoutMs,
        // Ports and the folder belong to the topology.
        release: async () => {},
        // A restarted member has a new network namespace (and maybe a new address).
        afterStart: async () => {
          if (launched) await relink();
        },
        readyLog: member.readyLog,
      });
      launched = true;
      members.push(container);
      return container;
    },
    relink,
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all(members.map((member) => member.stop()));
      await removeWorkDir(root);
      releasePorts(ports);
    },
  };
}
