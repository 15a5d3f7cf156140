import { type PostgresServer, startPostgresServer } from '@stowage/testing';
import { afterAll, beforeAll } from 'vitest';
import {
  createPostgresDriver,
  createTableSql,
  type PostgresDataStore,
  type PostgresDriverOptions,
} from '../../src/index.js';

/** The file's server, with the table created, and the stores opened on it. */
export interface TableServer {
  /** The running server (throws before `beforeAll` ran). */
  readonly server: PostgresServer;
  /** A store on the server (its URL unless the options say otherwise), closed after the file. */
  open(options?: PostgresDriverOptions): PostgresDataStore;
}

/**
 * Starts the file's own PostgreSQL before its tests (by `start`, default a plain one), creates
 * the default table, and after them closes every store opened through it and stops the server.
 */
export function useTableServer(
  start: () => Promise<PostgresServer> = startPostgresServer,
): TableServer {
  let running: PostgresServer | undefined;
  const stores: PostgresDataStore[] = [];
  beforeAll(async () => {
    running = await start();
    await running.query(createTableSql('public.stowage_items'));
  });
  afterAll(async () => {
    running?.resume();
    await Promise.all(stores.map((store) => store.close()));
    await running?.stop();
  });
  return {
    get server() {
      if (running === undefined) throw new Error('server not started');
      return running;
    },
    open(options = {}) {
      const store = createPostgresDriver({ url: this.server.url, ...options });
      stores.push(store);
      return store;
    },
  };
}
