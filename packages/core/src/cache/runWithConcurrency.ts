/**
 * Runs `task` for every job with at most `limit` running at once. Stops starting new jobs after
 * the first failure and rejects with it, so that a write-back hitting a backend that went away
 * again gives up at once instead of failing thousands of times.
 */
export async function runWithConcurrency<T>(
  jobs: ReadonlyArray<T>,
  limit: number,
  task: (job: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < jobs.length) {
      const job = jobs[next] as T;
      next += 1;
      try {
        await task(job);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Array.from({ length: Math.min(limit, jobs.length) }, worker);
  await Promise.all(workers);
}
