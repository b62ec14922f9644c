import { describe, expect, it } from 'vitest';
import { limitConcurrency } from '../../src/translate/limit-concurrency.ts';

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

describe('limitConcurrency', () => {
  it.each([1, 2, 4])('never runs more than %i tasks at once, and runs them all', async (max) => {
    const limit = limitConcurrency(max);
    let running = 0;
    let seen = 0;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        limit(async () => {
          running += 1;
          seen = Math.max(seen, running);
          await tick();
          running -= 1;
          return i;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(seen).toBe(max);
    expect(limit.peak).toBe(max);
  });

  it('frees the slot of a failing task', async () => {
    const limit = limitConcurrency(1);
    await expect(limit(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit(async () => 'next')).resolves.toBe('next');
  });

  it('keeps the limit when a new task arrives while a slot is handed over', async () => {
    const limit = limitConcurrency(1);
    let running = 0;
    let seen = 0;
    const task = async () => {
      running += 1;
      seen = Math.max(seen, running);
      await tick();
      running -= 1;
    };
    const first = limit(task);
    const second = limit(task);
    await first;
    // The second task was handed the slot; a third arriving now must wait for it.
    await Promise.all([second, limit(task)]);
    expect(seen).toBe(1);
  });

  it.each([0, -1, 1.5])('rejects a limit of %s', (max) => {
    expect(() => limitConcurrency(max)).toThrow(RangeError);
  });
});
