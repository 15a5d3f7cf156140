import type { RedisServer } from '@stowage/testing';
import { adminClient } from './adminClient.js';

// What a data node says about itself, and waiting for it to say something: shared by the
// Sentinel and Cluster fault tests.

/** Polls `check` every `intervalMs` until it returns a value, at most `timeoutMs`. */
export async function pollUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs} ms`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Waits until `node` is a replica whose link to its primary is up (in sync). */
export function waitForReplicaInSync(node: RedisServer, timeoutMs = 15_000): Promise<true> {
  return pollUntil(
    `${node.port} in sync as a replica`,
    async () => {
      const info = await infoOf(node, 'replication');
      return /^role:slave\b/m.test(info) && /^master_link_status:up\b/m.test(info)
        ? true
        : undefined;
    },
    timeoutMs,
    100,
  );
}

/** How many times `node` ran `command` since it started (INFO commandstats). */
export async function commandCalls(node: RedisServer, command: string): Promise<number> {
  const info = await infoOf(node, 'commandstats');
  const match = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info);
  return match === null ? 0 : Number(match[1]);
}

async function infoOf(node: RedisServer, section: string): Promise<string> {
  const admin = adminClient(node);
  try {
    return await admin.info(section);
  } finally {
    admin.disconnect();
  }
}
