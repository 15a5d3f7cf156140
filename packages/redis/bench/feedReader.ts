import type { DataStore } from '@stowage/core';
import {
  drained,
  type Follower,
  follow,
  openInstance,
  type ReaderCommand,
  reportOf,
  waitForLiveFeed,
  warm,
} from './feedProbe.js';

// A process of reader instances for the cross-process propagation run: forked by
// `feedProcesses.ts` (compiled on the fly, run by Node without vitest), told over IPC what to
// open, it answers `ready` once every instance's cache is warm and its feed live, follows the run,
// and on `finish` reports when each instance saw each write, closes everything and exits.

const stores: DataStore[] = [];
const followers: Follower[] = [];

const send = (message: object) =>
  new Promise<void>((resolve, reject) =>
    process.send?.(message, undefined, {}, (error) => (error ? reject(error) : resolve())),
  );

async function start(command: Extract<ReaderCommand, { type: 'start' }>): Promise<void> {
  for (let i = 0; i < command.instances; i++) {
    stores.push(openInstance(command.storeOptions, command.prefix));
  }
  await Promise.all(stores.map((store) => waitForLiveFeed(store)));
  await Promise.all(stores.map((store) => warm(store, command.shape.keyCount)));
  for (const store of stores) followers.push(follow(store, command.shape));
  await send({ type: 'ready' });
}

async function finish(drainMs: number): Promise<void> {
  await drained(followers, drainMs);
  const report = reportOf(followers);
  for (const f of followers) f.stop();
  await send(report);
  await Promise.all(stores.map((store) => store.close()));
  process.disconnect();
}

process.on('message', (command: ReaderCommand) => {
  const done = command.type === 'start' ? start(command) : finish(command.drainMs);
  done.catch(async (error: unknown) => {
    await send({ type: 'error', message: String((error as Error)?.stack ?? error) }).catch(
      () => {},
    );
    process.exit(1);
  });
});
