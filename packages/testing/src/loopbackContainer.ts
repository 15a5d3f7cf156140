import { HarnessError, HarnessErrorCode } from './HarnessError.js';

/** The testcontainers module, as the container provider loads it. */
export type Testcontainers = typeof import('testcontainers');

/** testcontainers is an optional peer: loaded only by the container provider. */
export async function loadTestcontainers(): Promise<Testcontainers> {
  try {
    return await import('testcontainers');
  } catch (error) {
    throw new HarnessError(
      HarnessErrorCode.BinaryMissing,
      'The container provider needs the package testcontainers@11 (npm install -D testcontainers@11)',
      { cause: error },
    );
  }
}

/**
 * A GenericContainer whose published ports bind `127.0.0.1` whatever the engine's default (Docker
 * Desktop's is every interface), and whose memory limit leaves no swap to hide in. `onCreated`
 * learns the container's id before it starts, so that clean-up can find a container whose start
 * never finished.
 */
export function loopbackContainer(
  testcontainers: Testcontainers,
  image: string,
  memoryLimitMb: number | undefined,
  onCreated: (id: string) => void,
): InstanceType<Testcontainers['GenericContainer']> {
  class LoopbackContainer extends testcontainers.GenericContainer {
    protected override async beforeContainerCreated(): Promise<void> {
      for (const bindings of Object.values(this.hostConfig.PortBindings ?? {})) {
        for (const binding of bindings as Array<{ HostIp?: string }>) binding.HostIp = '127.0.0.1';
      }
      if (memoryLimitMb !== undefined) {
        this.hostConfig.Memory = memoryLimitMb * 1024 * 1024;
        this.hostConfig.MemorySwap = this.hostConfig.Memory;
      }
    }

    protected override async containerCreated(id: string): Promise<void> {
      onCreated(id);
    }
  }
  return new LoopbackContainer(image);
}
