import { LogSampler } from './log-sampler';

describe('LogSampler', () => {
  it('lets one line per key and window through, and the next line counts what was left out', () => {
    let now = 1_000;
    const sampler = new LogSampler({ windowMs: 60_000, now: () => now });
    expect(sampler.take('a')).toBe(0);
    for (let i = 0; i < 41; i++) expect(sampler.take('a')).toBeUndefined();
    // another key has its own budget
    expect(sampler.take('b')).toBe(0);
    now += 60_000;
    expect(sampler.take('a')).toBe(41);
    expect(sampler.take('a')).toBeUndefined();
  });

  it('allows several lines per window when asked', () => {
    const sampler = new LogSampler({ windowMs: 1_000, perWindow: 3, now: () => 0 });
    expect([sampler.take('k'), sampler.take('k'), sampler.take('k'), sampler.take('k')]).toEqual([
      0,
      0,
      0,
      undefined,
    ]);
  });

  it('says how many more in words', () => {
    expect(LogSampler.suffix(0)).toBe('');
    expect(LogSampler.suffix(7)).toBe(' (and 7 more like it since the last line)');
  });
});
