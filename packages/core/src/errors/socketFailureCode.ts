import { StoreErrorCode } from './StoreErrorCode.js';

/** Node's codes for a connection that could not be made or was lost. */
const CONNECTION_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
]);

/** Node's codes for a TLS handshake that failed (besides every `ERR_TLS_*` and `ERR_SSL_*`). */
const TLS_CODES: ReadonlySet<string> = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
  'INVALID_CA',
  'HOSTNAME_MISMATCH',
  'EPROTO',
]);

/**
 * What Node's error `code` of a socket says, for drivers mapping their client's failures:
 * `tls` for a failed TLS handshake, `connection` for a connection not made or lost, `undefined`
 * for anything else (the driver decides). One list for every driver, so that the same network
 * failure has the same code whatever the backend.
 */
export function socketFailureCode(code: unknown): StoreErrorCode | undefined {
  if (typeof code !== 'string') return undefined;
  if (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')) {
    return StoreErrorCode.Tls;
  }
  return CONNECTION_CODES.has(code) ? StoreErrorCode.Connection : undefined;
}
