import type {
  DataKind,
  FullDataSet,
  PersistentDataStore,
  SerializedItemDescriptor,
  UpsertResult,
} from '../../src/index.js';

type Method = 'init' | 'get' | 'getAll' | 'upsert' | 'isInitialized' | 'isAvailable';

/**
 * A driver wrapper for tests: counts the calls that reach the driver, and can hold the answer of
 * the next call of a method (the call itself runs at once) until the test releases it, which is
 * how a test makes a read that started before a write answer after it.
 */
export class ControlledDriver implements PersistentDataStore {
  readonly calls: Record<Method, number> = {
    init: 0,
    get: 0,
    getAll: 0,
    upsert: 0,
    isInitialized: 0,
    isAvailable: 0,
  };
  private readonly holds = new Map<Method, Promise<void>>();

  constructor(readonly inner: PersistentDataStore) {}

  /** Holds the answer of the next call of `method`; call the returned function to release it. */
  holdNext(method: Method): () => void {
    let release!: () => void;
    this.holds.set(
      method,
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    return release;
  }

  private async run<T>(method: Method, call: () => Promise<T>): Promise<T> {
    this.calls[method] += 1;
    const hold = this.holds.get(method);
    this.holds.delete(method);
    const settled = call().then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    if (hold !== undefined) await hold;
    const outcome = await settled;
    if (outcome.ok) return outcome.value;
    throw outcome.error;
  }

  init(allData: FullDataSet): Promise<void> {
    return this.run('init', () => this.inner.init(allData));
  }
  get(kind: DataKind, key: string): Promise<SerializedItemDescriptor | undefined> {
    return this.run('get', () => this.inner.get(kind, key));
  }
  getAll(kind: DataKind): Promise<ReadonlyMap<string, SerializedItemDescriptor>> {
    return this.run('getAll', () => this.inner.getAll(kind));
  }
  upsert(kind: DataKind, key: string, descriptor: SerializedItemDescriptor): Promise<UpsertResult> {
    return this.run('upsert', () => this.inner.upsert(kind, key, descriptor));
  }
  isInitialized(): Promise<boolean> {
    return this.run('isInitialized', () => this.inner.isInitialized());
  }
  isAvailable(): Promise<boolean> {
    this.calls.isAvailable += 1;
    return this.inner.isAvailable();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
