/**
 * Settles like `promise`, or rejects with "`what` did not settle within `ms` ms" once the bound has
 * passed: a bound on a behaviour ("fails within the timeout", "never hangs"), checked as a deadline
 * rather than by timing the call and comparing afterwards.
 */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
