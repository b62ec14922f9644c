// At most `max` tasks run at once; the rest wait in order. A finishing task hands its slot straight to the next
// waiter, so a task arriving in between can never push the count over the limit.

export interface Limiter {
  <T>(task: () => Promise<T>): Promise<T>;
  /** The most tasks that ever ran at the same time. */
  readonly peak: number;
}

export function limitConcurrency(max: number): Limiter {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency must be a positive integer, got ${max}`);
  let active = 0;
  let peak = 0;
  const waiting: Array<() => void> = [];

  const acquire = (): Promise<void> => {
    if (active < max) {
      active += 1;
      peak = Math.max(peak, active);
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active -= 1;
  };

  const run = async <T>(task: () => Promise<T>): Promise<T> => {
    await acquire();
    try {
      return await task();
    } finally {
      release();
    }
  };
  return Object.defineProperty(run, 'peak', { get: () => peak }) as Limiter;
}
