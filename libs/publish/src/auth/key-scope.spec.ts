import { narrowKeyScope } from '@sluice/publish';
import { filterWithin } from '../topic/topic-filter-match';

describe('filterWithin', () => {
  it.each([
    ['a/b', 'a/b', true],
    ['a/b', 'a/+', true],
    ['a/+/c', 'a/#', true],
    ['a', 'a/#', true],
    ['a/#', 'a/#', true],
    ['a/+', 'a/+', true],
    ['#', 'a/#', false],
    ['a/#', 'a/+', false],
    ['a/+', 'a/b', false],
    ['b/c', 'a/#', false],
    ['a/b/c', 'a/+', false],
    ['a', 'a/+', false],
    ['$SYS/x', '#', false],
    ['$SYS/x', '$SYS/#', true],
  ])('%s within %s: %s', (inner, outer, expected) => {
    expect(filterWithin(inner, outer)).toBe(expected);
  });
});

describe('narrowKeyScope', () => {
  const tenantKey = { topicFilters: ['a/#'], rateLimit: 50 } as const;

  it('refuses wider topics and a higher rate (the key that minted # at 1,000,000/s)', () => {
    expect(narrowKeyScope(tenantKey, { publishTopics: ['#'], rateLimit: 1_000_000 }, 1_000)).toEqual({
      problems: [
        { field: 'publishTopics', problem: "outside this key's own topics (a/#): #" },
        { field: 'rateLimit', problem: "above this key's own rate of 50 per second" },
      ],
    });
    expect(
      narrowKeyScope({ topicFilters: [], rateLimit: null }, { publishTopics: ['x'], rateLimit: null }, 1_000),
    ).toMatchObject({
      problems: [{ field: 'publishTopics' }],
    });
  });

  it("allows narrower keys; a rate left out inherits the creator's", () => {
    expect(narrowKeyScope(tenantKey, { publishTopics: ['a/b/+'], rateLimit: null }, 1_000)).toEqual({
      scope: { publishTopics: ['a/b/+'], rateLimit: 50 },
    });
    expect(
      narrowKeyScope(
        { topicFilters: ['a/#'], rateLimit: null },
        { publishTopics: [], rateLimit: 999 },
        1_000,
      ),
    ).toEqual({
      scope: { publishTopics: [], rateLimit: 999 },
    });
    expect(
      narrowKeyScope(
        { topicFilters: ['a/#'], rateLimit: null },
        { publishTopics: [], rateLimit: 1_001 },
        1_000,
      ),
    ).toMatchObject({
      problems: [{ field: 'rateLimit' }],
    });
  });

  it('leaves the operator unbounded', () => {
    expect(
      narrowKeyScope(
        { topicFilters: 'any', rateLimit: 'unlimited' },
        { publishTopics: ['#'], rateLimit: 1_000_000 },
        1_000,
      ),
    ).toEqual({ scope: { publishTopics: ['#'], rateLimit: 1_000_000 } });
  });
});
