import { type PersistentDataStore, StoreErrorCode, StowageError } from '@stowage/core';
import type { RedisAccess } from '@stowage/redis';
import type { Target } from '../target.js';
import { connectClient } from './connectClient.js';
import { type Finding, finding } from './Finding.js';

/** Connects as the app would: the driver's own first operation, with its typed errors. */
export async function connectionFindings(
  store: PersistentDataStore,
  target: Target,
): Promise<{ findings: Finding[]; connected: boolean }> {
  const start = performance.now();
  try {
    await store.isInitialized();
    const ms = (performance.now() - start).toFixed(0);
    return {
      connected: true,
      findings: [
        finding('reachability', 'ok', `connected and answered in ${ms} ms`),
        finding(
          'auth',
          'ok',
          target.redis?.hasPassword === false ? 'no password needed' : 'credentials accepted',
        ),
      ],
    };
  } catch (error) {
    if (!StowageError.is(error)) throw error;
    // Without a connection (address, credentials, TLS, set-up) nothing else can be checked; a
    // refusal or a failing store (a cluster slot without a node) leaves the other checks to run.
    const stops: Record<string, string> = {
      [StoreErrorCode.Connection]: 'reachability',
      [StoreErrorCode.Timeout]: 'reachability',
      [StoreErrorCode.Auth]: 'auth',
      [StoreErrorCode.Tls]: 'tls',
      [StoreErrorCode.Config]: 'connection set-up',
    };
    let stop = stops[error.code];
    // In a cluster the servers may answer while the store's slot has no node (CLUSTERDOWN),
    // which the driver reports as unreachable: the other checks can still run.
    if (
      stop === 'reachability' &&
      target.redis?.mode === 'cluster' &&
      (await answers(target.redis))
    ) {
      stop = undefined;
    }
    if (stop === undefined) {
      const check = error.code === StoreErrorCode.Permission ? 'rights: read' : 'store';
      return {
        connected: true,
        findings: [
          finding('reachability', 'ok', 'the server answered'),
          finding(check, 'error', error.message),
        ],
      };
    }
    return {
      connected: false,
      findings: [
        ...(stop === 'auth' || stop === 'connection set-up'
          ? [finding('reachability', 'ok', 'the server answered')]
          : []),
        finding(
          stop,
          'error',
          error.message,
          stop === 'reachability' ? 'check the address, the port and the firewall' : undefined,
        ),
      ],
    };
  }
}

/** True when a plain connection to the deployment can be made. */
async function answers(access: RedisAccess): Promise<boolean> {
  const client = access.createClient();
  try {
    await connectClient(client, access, 'the deployment');
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
