import { isPortFree, leasePortBlock, type PortBlockLease } from './leasePortBlock.js';
import { processWide } from './processWide.js';

interface PoolState {
  readonly leases: PortBlockLease[];
  readonly free: number[];
  /** Ports handed out and not yet released: releasing twice must not put a port in `free` twice. */
  readonly inUse: Set<number>;
  queue: Promise<unknown>;
}

/** One pool for the process, so a worker keeps drawing from the blocks it holds across test files. */
function state(): PoolState {
  return processWide<PoolState>('@stowage/testing/portPool', () => ({
    leases: [],
    free: [],
    inUse: new Set(),
    queue: Promise.resolve(),
  }));
}

/**
 * Hands out `count` free loopback ports from this process's leased blocks, leasing another block
 * when they run out. Calls are serialised so that concurrent starts never get the same port.
 */
export function allocatePorts(count: number): Promise<number[]> {
  const pool = state();
  const result = pool.queue.then(async () => {
    const ports: number[] = [];
    while (ports.length < count) {
      const port = await nextPort(pool);
      pool.inUse.add(port);
      ports.push(port);
    }
    return ports;
  });
  pool.queue = result.catch(() => undefined);
  return result;
}

async function nextPort(pool: PoolState): Promise<number> {
  while (pool.free.length > 0) {
    const port = pool.free.shift()!;
    if (await isPortFree(port)) return port;
  }
  const current = pool.leases.at(-1);
  if (current !== undefined) {
    try {
      return await current.next();
    } catch {
      // Block used up: lease another below.
    }
  }
  // A fresh block can still be unusable (every port bound by a program that ignores the locks);
  // try a few before giving up.
  for (let attempt = 0; ; attempt += 1) {
    const lease = await leasePortBlock(50);
    pool.leases.push(lease);
    try {
      return await lease.next();
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

/** Returns ports of stopped servers to the pool for reuse by later servers in this process. */
export function releasePorts(ports: readonly number[]): void {
  const pool = state();
  for (const port of ports) {
    if (pool.inUse.delete(port)) pool.free.push(port);
  }
}
