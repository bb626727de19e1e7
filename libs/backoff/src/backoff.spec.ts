import { backoffDelayMs } from '@sluice/backoff';

describe('backoffDelayMs', () => {
  const fixed = { baseMs: 100, maxMs: 5_000, jitter: false };

  it('doubles from the base per attempt up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelayMs(n, fixed))).toEqual([
      100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000,
    ]);
    // a huge attempt count stays at the cap (2 ** 2000 is Infinity)
    expect(backoffDelayMs(2_000, fixed)).toBe(5_000);
    // attempt 0 (or less) is treated as the first
    expect(backoffDelayMs(0, fixed)).toBe(100);
  });

  it('with jitter draws from the upper half of the ceiling', () => {
    const options = { baseMs: 200, maxMs: 30_000 };
    expect(backoffDelayMs(3, options, () => 0)).toBe(400);
    expect(backoffDelayMs(3, options, () => 0.5)).toBe(600);
    expect(backoffDelayMs(3, options, () => 0.999)).toBeCloseTo(799.6);
    expect(backoffDelayMs(20, options, () => 0)).toBe(15_000);
  });
});
