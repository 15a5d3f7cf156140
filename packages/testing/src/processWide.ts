/**
 * State shared by every copy of a module in one process, created on first use. Vitest evaluates
 * modules once per test file, and a duplicate install brings a second copy: both must see one
 * engine, one port pool, one exit list. Kept on `globalThis` under `Symbol.for(name)`.
 */
export function processWide<T>(name: string, create: () => T): T {
  const key = Symbol.for(name);
  const holder = globalThis as Record<symbol, unknown>;
  holder[key] ??= create();
  return holder[key] as T;
}
