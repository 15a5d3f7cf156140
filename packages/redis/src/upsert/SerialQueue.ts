/**
 * Runs tasks one after another per name. The WATCH strategy uses it per kind hash: WATCH guards the
 * whole hash, so two transactions of one process on the same hash would only abort each other.
 */
export class SerialQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(name: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(name);
    const result = previous === undefined ? task() : previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(name, tail);
    void tail.then(() => {
      if (this.tails.get(name) === tail) this.tails.delete(name);
    });
    return result;
  }
}
