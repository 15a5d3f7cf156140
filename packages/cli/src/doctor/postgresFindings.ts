import type { PersistentDataStore } from '@stowage/core';
import type { PostgresAccess } from '@stowage/postgres';
import { POSTGRES_TRANSPORT, transportFinding } from './addressRule.js';
import type { Finding } from './Finding.js';
import { feedFinding } from './feedFinding.js';

/**
 * What is particular to PostgreSQL: the transport, and the change feed (LISTEN needs no grant).
 * The table's layout and the role's rights on it are checked by the store's own first operation,
 * whose error the connection findings report with the CREATE or GRANT statement to run.
 */
export async function postgresFindings(
  store: PersistentDataStore,
  access: PostgresAccess,
): Promise<Finding[]> {
  return [
    transportFinding(
      [access.host],
      access.hasPassword || access.clientCertificate,
      access.tls,
      POSTGRES_TRANSPORT,
    ),
    await feedFinding(store),
  ];
}
