import { topicFilterProblem } from './topic-filter';

interface TrieNode<T> {
  readonly children: Map<string, TrieNode<T>>;
  /** Values whose filter ends at this node. */
  readonly exact: Set<T>;
  /** Values whose filter ends with `#` below this node. */
  readonly rest: Set<T>;
}

/** Topics whose matches are remembered; beyond it the memory starts afresh. */
const MATCH_CACHE_SIZE = 4096;

function node<T>(): TrieNode<T> {
  return { children: new Map(), exact: new Set(), rest: new Set() };
}

/**
 * A trie of MQTT topic filters. `match` walks one path per topic level (plus the `+` branches), so
 * its cost grows with the filters that can match, not with how many filters are stored. The
 * answers for the last few thousand topics are remembered (a fleet publishes on the same topics over
 * and over), until the next `add` or `remove`.
 *
 * @example
 * const index = new TopicFilterIndex<string>();
 * index.add('sensors/+/temp', 'rule-1');
 * index.match('sensors/a/temp'); // ['rule-1']
 */
export class TopicFilterIndex<T> {
  private readonly root: TrieNode<T> = node();
  private count = 0;
  private readonly matches = new Map<string, readonly T[]>();

  /** Number of (filter, value) pairs stored. */
  get size(): number {
    return this.count;
  }

  /** Stores `value` under `filter`; throws a plain Error for an invalid filter. */
  add(filter: string, value: T): void {
    const problem = topicFilterProblem(filter);
    if (problem) throw new Error(`invalid topic filter '${filter}': ${problem}`);
    this.matches.clear();
    let current = this.root;
    const levels = filter.split('/');
    for (const level of levels) {
      if (level === '#') {
        if (!current.rest.has(value)) this.count++;
        current.rest.add(value);
        return;
      }
      let child = current.children.get(level);
      if (!child) {
        child = node();
        current.children.set(level, child);
      }
      current = child;
    }
    if (!current.exact.has(value)) this.count++;
    current.exact.add(value);
  }

  /** Removes `value` from `filter`; returns whether it was there. Empty branches are pruned. */
  remove(filter: string, value: T): boolean {
    const path: [TrieNode<T>, string][] = [];
    let current = this.root;
    const levels = filter.split('/');
    let removed = false;
    for (const level of levels) {
      if (level === '#') {
        removed = current.rest.delete(value);
        break;
      }
      const child = current.children.get(level);
      if (!child) return false;
      path.push([current, level]);
      current = child;
    }
    if (levels[levels.length - 1] !== '#') removed = current.exact.delete(value);
    if (!removed) return false;
    this.count--;
    this.matches.clear();
    for (let i = path.length - 1; i >= 0; i--) {
      const [parent, level] = path[i] as [TrieNode<T>, string];
      const child = parent.children.get(level) as TrieNode<T>;
      if (child.children.size > 0 || child.exact.size > 0 || child.rest.size > 0) break;
      parent.children.delete(level);
    }
    return true;
  }

  /** The values of every filter that matches `topic`, each value once (a shared array: do not change it). */
  match(topic: string): readonly T[] {
    const known = this.matches.get(topic);
    if (known) return known;
    const found = new Set<T>();
    const levels = topic.split('/');
    // MQTT: a topic starting with '$' is not matched by a filter starting with a wildcard
    const dollar = levels[0]?.startsWith('$') ?? false;
    this.walk(this.root, levels, 0, found, dollar);
    const values = [...found];
    if (this.matches.size >= MATCH_CACHE_SIZE) this.matches.clear();
    this.matches.set(topic, values);
    return values;
  }

  private walk(current: TrieNode<T>, levels: string[], depth: number, found: Set<T>, dollar: boolean): void {
    const wildcardsAllowed = !(dollar && depth === 0);
    if (wildcardsAllowed) for (const value of current.rest) found.add(value);
    if (depth === levels.length) {
      for (const value of current.exact) found.add(value);
      return;
    }
    const exact = current.children.get(levels[depth] as string);
    if (exact) this.walk(exact, levels, depth + 1, found, dollar);
    if (wildcardsAllowed) {
      const plus = current.children.get('+');
      if (plus) this.walk(plus, levels, depth + 1, found, dollar);
    }
  }
}
