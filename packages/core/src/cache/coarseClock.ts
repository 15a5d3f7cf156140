// Reading the clock costs about as much as a whole cache hit, so hits within one turn of the
// event loop share one reading. It is read again on the next turn, and after every 1,000 uses in
// case a turn runs long, so an entry outlives its TTL by a fraction of a millisecond at most.
const MAX_USES = 1_000;
let reading: number | undefined;
let uses = 0;
let resetScheduled = false;

const reset = () => {
  reading = undefined;
  resetScheduled = false;
};

/** `Date.now()`, read at most once per event-loop turn (and per 1,000 calls). */
export function coarseNow(): number {
  uses += 1;
  if (reading === undefined || uses > MAX_USES) {
    reading = Date.now();
    uses = 0;
    if (!resetScheduled) {
      resetScheduled = true;
      // unref: a cache must never keep a process alive.
      setImmediate(reset).unref();
    }
  }
  return reading;
}
