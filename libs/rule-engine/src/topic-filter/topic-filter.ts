/**
 * MQTT topic filter rules (MQTT 5.0 section 4.7): `+` matches one level, `#` the rest (including
 * the parent level), and topics starting with `$` are not matched by a leading wildcard.
 */

/** Why a filter is not valid, or undefined when it is. */
export function topicFilterProblem(filter: string): string | undefined {
  if (filter.length === 0) return 'a topic filter cannot be empty';
  if (filter.includes('\u0000')) return 'a topic filter cannot contain the null character';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as string;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      return "'#' must be a whole level and the last one";
    }
    if (level.includes('+') && level !== '+') return "'+' must be a whole level";
  }
  return undefined;
}

/**
 * Whether a topic name matches a topic filter (EMQX's `=~`).
 *
 * @example
 * topicMatches('a/b/c', 'a/+/#'); // true
 * topicMatches('$SYS/x', '#'); // false
 */
export function topicMatches(topic: string, filter: string): boolean {
  const names = topic.split('/');
  const filters = filter.split('/');
  if (names[0]?.startsWith('$') && (filters[0] === '+' || filters[0] === '#')) return false;
  for (let i = 0; i < filters.length; i++) {
    const f = filters[i];
    if (f === '#') return true;
    if (i >= names.length) return false;
    if (f !== '+' && f !== names[i]) return false;
  }
  return names.length === filters.length;
}
