/**
 * Whether the topic name `topic` matches the subscription filter `filter`, with MQTT 5 (4.7)
 * semantics: `+` matches one level, a trailing `#` matches the parent and any number of levels,
 * and a filter starting with a wildcard does not match a topic starting with `$` (4.7.2).
 *
 * @example topicMatchesFilter('sensors/+/temp', 'sensors/d1/temp'); // true
 * topicMatchesFilter('#', '$SYS/uptime'); // false
 */
export function topicMatchesFilter(filter: string, topic: string): boolean {
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  if (topic.startsWith('$') && (filterLevels[0] === '+' || filterLevels[0] === '#')) return false;
  for (let i = 0; i < filterLevels.length; i++) {
    const level = filterLevels[i];
    if (level === '#') return i === filterLevels.length - 1;
    if (i >= topicLevels.length) return false;
    if (level !== '+' && level !== topicLevels[i]) return false;
  }
  return filterLevels.length === topicLevels.length;
}

/**
 * Whether `topic` matches at least one of `filters` (a key's allowed publish topics).
 *
 * @example topicAllowedBy(['factory/a/#'], 'factory/a/line1'); // true
 */
export function topicAllowedBy(filters: readonly string[], topic: string): boolean {
  return filters.some((filter) => topicMatchesFilter(filter, topic));
}

/**
 * Whether every topic `inner` matches is also matched by `outer` (filter containment), so a key
 * limited to `outer` may hand out `inner`. A wildcard in `inner` is contained only by a wildcard at
 * least as wide in `outer`; `$` topics stay out of a filter starting with a wildcard (4.7.2).
 *
 * @example filterWithin('a/+/c', 'a/#'); // true
 * filterWithin('#', 'a/#'); // false
 */
export function filterWithin(inner: string, outer: string): boolean {
  const innerLevels = inner.split('/');
  const outerLevels = outer.split('/');
  if (inner.startsWith('$') && (outerLevels[0] === '+' || outerLevels[0] === '#')) return false;
  for (let i = 0; i < outerLevels.length; i++) {
    const level = outerLevels[i];
    // `a/#` matches `a` too: inner may end right before a final `#`
    if (level === '#') return true;
    if (i >= innerLevels.length) return false;
    const own = innerLevels[i];
    if (own === '#') return false;
    if (level === '+') continue;
    if (own === '+' || own !== level) return false;
  }
  return innerLevels.length === outerLevels.length;
}
