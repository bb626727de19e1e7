import { compileFilter, filtersOverlap, subjectMatches } from './subject-filter';

describe('subjectMatches (NATS wildcard semantics)', () => {
  it.each([
    ['a.b.c', 'a.b.c', true],
    ['a.*.c', 'a.b.c', true],
    ['a.*', 'a.b.c', false],
    ['a.>', 'a.b.c', true],
    ['a.>', 'a', false],
    ['a.b.>', 'a.b', false],
    ['*.b', 'a.b', true],
    ['a.b', 'a.b.c', false],
    ['a.b.c', 'a.b', false],
    ['a.b.>', 'a.bc.d', false],
  ])('%s vs %s -> %s', (filter, subject, expected) => {
    expect(subjectMatches(filter, subject)).toBe(expected);
    expect(compileFilter(filter)(subject)).toBe(expected);
  });
});

describe('filtersOverlap', () => {
  it.each([
    ['a.b', 'a.b', true],
    ['a.b', 'a.c', false],
    ['a.*', 'a.b', true],
    ['a.>', 'a.b.c', true],
    ['a.>', 'a', false],
    ['a.*.c', 'a.b.>', true],
    ['a.*', 'a.b.c', false],
    ['x.>', 'a.>', false],
    ['*.b', 'a.*', true],
  ])('%s and %s -> %s', (a, b, expected) => {
    expect(filtersOverlap(a, b)).toBe(expected);
    expect(filtersOverlap(b, a)).toBe(expected);
  });
});
