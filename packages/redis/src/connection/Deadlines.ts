import { TIMED_OUT } from '../errors/toStowageError.js';

/**
 * Something in flight that a deadline can fail: an ioredis `Command` (whose own command timeout
 * does exactly this), or the entry of a promise raced by {@link Deadlines.race}. Both ioredis 5
 * and 6 set `isResolved` on an answer; ioredis 6 also sets `isSettled` on a failure.
 */
export interface Expiring {
  readonly isSettled?: boolean;
  readonly isResolved?: boolean;
  reject(error: Error): void;
}

/** How often expired deadlines are looked for: a timeout fires at most this much late. */
const RESOLUTION_MS = 20;

class RacedEntry implements Expiring {
  isSettled = false;
  constructor(readonly reject: (error: Error) => void) {}
}

/**
 * The command timeout of one connection, enforced by one coarse interval instead of a timer per
 * command (a timer per command cost ~10% of the throughput of a small HGET), and without a promise
 * of its own per command: an expired command is failed through its own `reject`, so a read costs
 * the client's promise and nothing else. The interval runs only while something is in flight; each
 * sweep drops what has settled since the last one, and fails what has run out of time.
 */
export class Deadlines {
  private items: Expiring[] = [];
  /** When each of `items` expires (`performance.now()` time). */
  private expiries: number[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly timeoutMs: number) {}

  /** Fails `item` with "Command timed out" unless it has settled within the timeout from now. */
  track(item: Expiring): void {
    this.items.push(item);
    this.expiries.push(performance.now() + this.timeoutMs);
    if (this.timer === undefined) {
      this.timer = setInterval(this.sweep, RESOLUTION_MS);
      // A pending command keeps its socket, and so the process, alive; the sweep need not.
      this.timer.unref();
    }
  }

  /**
   * Settles like `promise`, or rejects with "Command timed out" once the timeout has passed; either
   * way through `onError` for failures. For operations of several commands; the commands are not
   * cancelled (Redis has no way to): a late answer is ignored.
   */
  race<T>(promise: Promise<T>, onError: (error: unknown) => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry = new RacedEntry((error) => {
        entry.isSettled = true;
        reject(onError(error));
      });
      this.track(entry);
      promise.then(
        (value) => {
          entry.isSettled = true;
          resolve(value);
        },
        (error: unknown) => {
          if (!entry.isSettled) entry.reject(error as Error);
        },
      );
    });
  }

  private readonly sweep = () => {
    const now = performance.now();
    const { items, expiries } = this;
    const expired: Expiring[] = [];
    let kept = 0;
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as Expiring;
      if (item.isSettled === true || item.isResolved === true) continue;
      const expiry = expiries[i] as number;
      if (expiry <= now) {
        expired.push(item);
        continue;
      }
      items[kept] = item;
      expiries[kept] = expiry;
      kept += 1;
    }
    items.length = kept;
    expiries.length = kept;
    if (kept === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    // Failed once the lists are consistent: a rejection may lead straight to another command. The
    // text is ioredis's own command timeout's, so that both are classified alike.
    for (const item of expired) item.reject(new Error(TIMED_OUT));
  };
}
