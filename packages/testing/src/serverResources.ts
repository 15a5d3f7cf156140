import { join } from 'node:path';
import { createTestCertificates, type TestCertificates } from './createTestCertificates.js';
import { allocatePorts, releasePorts } from './portPool.js';
import type { TlsOptions } from './TlsOptions.js';
import { createWorkDir, removeWorkDir } from './workDir.js';

/** What one lone server needs before it starts: a folder, a leased port, maybe certificates. */
export interface ServerResources {
  readonly dir: string;
  readonly port: number;
  /** Every leased port (just `port`), for release on stop. */
  readonly ports: readonly number[];
  readonly certificates: TestCertificates | undefined;
  /** Removes the folder and gives the port back; for a start that failed or a server stopped. */
  release(): Promise<void>;
}

/**
 * Creates the folder, leases the port and generates certificates (unless `tls` brings its own) for
 * one server, concurrently; on failure nothing is left behind.
 */
export async function prepareServerResources(
  kind: string,
  tls: TlsOptions | undefined,
): Promise<ServerResources> {
  const dir = await createWorkDir(kind);
  let ports: number[] = [];
  const release = async () => {
    await removeWorkDir(dir);
    releasePorts(ports);
  };
  try {
    let certificates: TestCertificates | undefined;
    [ports, certificates] = await Promise.all([
      allocatePorts(1),
      tls === undefined
        ? undefined
        : (tls.certificates ?? createTestCertificates(join(dir, 'tls'))),
    ]);
    return { dir, port: ports[0]!, ports, certificates, release };
  } catch (error) {
    await release();
    throw error;
  }
}
