import type { DataStore } from '@stowage/core';
import {
  drained,
  type Follower,
  flags,
  follow,
  openInstance,
  type ReaderCommand,
  reportOf,
  waitForLiveFeed,
  warm,
} from './feedProbe.js';

// A process of instances for the cross-process runs: forked by `feedProcesses.ts` (compiled on
// the fly, run by Node without vitest), told over IPC what to open, it answers `ready` once every
// instance's cache is warm and its feed live, follows the run (or writes what it is told through
// its first instance, answering `written`), and on `finish` reports when each instance saw each
// write, closes everything and exits.

const stores: DataStore[] = [];
const followers: Follower[] = [];
/** When following began, for the CPU share reported. */
let following = { cpu: process.cpuUsage(), at: performance.now() };

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
  following = { cpu: process.cpuUsage(), at: performance.now() };
  await send({ type: 'ready' });
}

/** Writes as told through the first instance; answers `written` with the count refused. */
async function write(command: Extract<ReaderCommand, { type: 'write' }>): Promise<void> {
  const writer = stores[0];
  if (writer === undefined) throw new Error("'write' before 'start'");
  let next = 0;
  let refused = 0;
  await Promise.all(
    Array.from({ length: command.inFlight }, async () => {
      for (let i = next++; i < command.writes.length; i = next++) {
        const [key, version] = command.writes[i] as readonly [string, number];
        const result = await writer.upsert(flags, { key, version, on: version % 2 === 0 });
        if (!result.applied) refused++;
      }
    }),
  );
  await send({ type: 'written', refused });
}

async function finish(drainMs: number): Promise<void> {
  const cpu = process.cpuUsage(following.cpu);
  const cpuShare = (cpu.user + cpu.system) / 1e3 / (performance.now() - following.at);
  await drained(followers, drainMs);
  const report = { ...reportOf(followers), cpuShare };
  for (const f of followers) f.stop();
  await send(report);
  await Promise.all(stores.map((store) => store.close()));
  process.disconnect();
}

process.on('message', (command: ReaderCommand) => {
  const done =
    command.type === 'start'
      ? start(command)
      : command.type === 'write'
        ? write(command)
        : finish(command.drainMs);
  done.catch(async (error: unknown) => {
    await send({ type: 'error', message: String((error as Error)?.stack ?? error) }).catch(
      () => {},
    );
    process.exit(1);
  });
});
