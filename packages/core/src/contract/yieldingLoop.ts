import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * How long per-item work over a whole kind may hold the event loop before it lets other callbacks
 * run. Well under the 50 ms a store call may block at most, so that the work of several kinds
 * (an `init` of many) or a slow machine still stays inside it.
 */
export const SLICE_MS = 8;

// The clock is read once per this many items: reading it costs more than a small item's work.
const CHECK_EVERY = 256;

/** Runs `work` on items until they run out (true) or the slice has used its time (false). */
function runSlice<T>(items: Iterator<T>, work: (item: T) => void): boolean {
  const sliceStart = performance.now();
  let count = 0;
  for (let next = items.next(); next.done !== true; next = items.next()) {
    work(next.value);
    count += 1;
    if (count % CHECK_EVERY === 0 && performance.now() - sliceStart >= SLICE_MS) return false;
  }
  return true;
}

async function runRemainingSlices<T>(items: Iterator<T>, work: (item: T) => void): Promise<void> {
  do await nextTurn();
  while (!runSlice(items, work));
}

/**
 * Runs `work` on every item, giving the event loop a turn whenever a slice has run for
 * {@link SLICE_MS}. Returns `undefined` when everything ran in the first slice, and otherwise a
 * promise of the rest: a small kind costs no promise and no extra turn, which matters on paths
 * that run once per call (a `getAll` of a few items). Throws (or rejects) at the first failure.
 */
export function forEachInSlices<T>(
  items: Iterable<T>,
  work: (item: T) => void,
): Promise<void> | undefined {
  const iterator = items[Symbol.iterator]();
  return runSlice(iterator, work) ? undefined : runRemainingSlices(iterator, work);
}

/**
 * Runs `work` on every item, giving the event loop a turn whenever a slice has run for
 * {@link SLICE_MS}. For per-item work over a whole kind (parsing a `getAll` answer, validating an
 * `init`), which at 100,000 items would otherwise block every other caller of the process for a
 * noticeable time. A small kind runs in one slice without yielding at all.
 */
export async function forEachYielding<T>(
  items: Iterable<T>,
  work: (item: T) => void,
): Promise<void> {
  await forEachInSlices(items, work);
}
