import type { TestCertificates } from './createTestCertificates.js';

/** TLS settings shared by every topology. */
export interface TlsOptions {
  /**
   * Require clients to present a certificate signed by the CA (`tls-auth-clients yes`, mutual TLS).
   * Default false: clients need only trust the CA.
   */
  readonly authClients?: boolean;
  /** Reuse certificates instead of generating a set (saves ~0.1 s per topology). */
  readonly certificates?: TestCertificates;
}
