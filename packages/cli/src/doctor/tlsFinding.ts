import type { TLSSocket } from 'node:tls';
import { type Finding, finding } from './Finding.js';
import { primaryNodes, type RedisClient } from './primaryNodes.js';

/** Days until the certificate the server presented expires. */
export function tlsFinding(client: RedisClient): Finding {
  const [node] = primaryNodes(client);
  const socket = (node as unknown as { stream?: TLSSocket } | undefined)?.stream;
  const certificate = socket?.getPeerCertificate?.();
  if (certificate === undefined || certificate.valid_to === undefined) {
    return finding('tls', 'unknown', 'the server certificate could not be read');
  }
  const expires = new Date(certificate.valid_to);
  const days = Math.floor((expires.getTime() - Date.now()) / 86_400_000);
  const detail = `server certificate expires in ${days} days (${expires.toISOString().slice(0, 10)})`;
  if (days < 0) return finding('tls', 'error', detail, 'renew the server certificate');
  if (days < 14) return finding('tls', 'warning', detail, 'renew the server certificate soon');
  return finding('tls', 'ok', detail);
}
