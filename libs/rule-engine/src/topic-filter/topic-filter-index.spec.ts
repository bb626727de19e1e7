import { TopicFilterIndex } from '../index';
import { topicMatches } from './topic-filter';

describe('topicMatches', () => {
  it.each([
    ['a/b/c', 'a/b/c', true],
    ['a/b/c', 'a/+/c', true],
    ['a/b/c', 'a/#', true],
    ['a', 'a/#', true],
    ['a/b/c', '#', true],
    ['a/b/c', '+/+/+', true],
    ['a/b/c', '+/+', false],
    ['a/b', 'a/b/c', false],
    ['a/b/c', 'a/b', false],
    ['/a', '+/a', true],
    ['a//b', 'a/+/b', true],
    ['$SYS/x', '#', false],
    ['$SYS/x', '+/x', false],
    ['$SYS/x', '$SYS/#', true],
    ['a/$x', 'a/+', true],
  ])('%s against %s is %s', (topic, filter, expected) => {
    expect(topicMatches(topic, filter)).toBe(expected);
  });
});

describe('TopicFilterIndex', () => {
  it('returns every value whose filter matches, once each', () => {
    const index = new TopicFilterIndex<string>();
    index.add('a/b', 'exact');
    index.add('a/+', 'plus');
    index.add('a/#', 'hash');
    index.add('#', 'all');
    index.add('b/#', 'other');
    index.add('a/b', 'twice');
    index.add('a/#', 'twice');
    expect([...index.match('a/b')].sort()).toEqual(['all', 'exact', 'hash', 'plus', 'twice']);
    expect([...index.match('a')].sort()).toEqual(['all', 'hash', 'twice']);
    expect(index.match('c')).toEqual(['all']);
  });

  it('does not match $ topics with leading wildcards', () => {
    const index = new TopicFilterIndex<string>();
    index.add('#', 'all');
    index.add('+/x', 'plus');
    index.add('$SYS/+', 'sys');
    expect(index.match('$SYS/x')).toEqual(['sys']);
  });

  it('removes values and prunes empty branches', () => {
    const index = new TopicFilterIndex<string>();
    index.add('a/b/c', 'v1');
    index.add('a/#', 'v2');
    expect(index.size).toBe(2);
    expect(index.remove('a/b/c', 'v1')).toBe(true);
    expect(index.remove('a/b/c', 'v1')).toBe(false);
    expect(index.remove('x/y', 'v1')).toBe(false);
    expect(index.match('a/b/c')).toEqual(['v2']);
    expect(index.remove('a/#', 'v2')).toBe(true);
    expect(index.match('a/b/c')).toEqual([]);
    expect(index.size).toBe(0);
  });

  it('answers a repeated topic again after a filter is added or removed', () => {
    const index = new TopicFilterIndex<string>();
    index.add('s/+', 'one');
    expect(index.match('s/1')).toEqual(['one']);
    index.add('s/#', 'two');
    expect([...index.match('s/1')].sort()).toEqual(['one', 'two']);
    index.remove('s/+', 'one');
    expect(index.match('s/1')).toEqual(['two']);
  });

  it('answers correctly past the number of topics it remembers', () => {
    const index = new TopicFilterIndex<string>();
    index.add('d/+/t', 'rule');
    for (let i = 0; i < 10_000; i++) expect(index.match(`d/${i}/t`)).toEqual(['rule']);
    expect(index.match('d/1/x')).toEqual([]);
  });

  it('rejects invalid filters', () => {
    const index = new TopicFilterIndex<string>();
    expect(() => index.add('a/#/b', 'v')).toThrow(/'#' must be a whole level and the last one/);
    expect(() => index.add('a+', 'v')).toThrow(/'\+' must be a whole level/);
    expect(() => index.add('', 'v')).toThrow(/empty/);
  });

  it('finds the one matching filter among many distinct ones', () => {
    const index = new TopicFilterIndex<number>();
    for (let i = 0; i < 5000; i++) index.add(`site/${i}/+/temp`, i);
    expect(index.match('site/4242/dev/temp')).toEqual([4242]);
    expect(index.match('site/4242/dev/hum')).toEqual([]);
  });
});
