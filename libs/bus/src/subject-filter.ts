/**
 * NATS subject matching: `*` matches one token, `>` (last) matches one or more. Used by the
 * in-process bus, which has no server to do it.
 */
export function subjectMatches(filter: string, subject: string): boolean {
  if (filter === subject) return true;
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    const token = f[i];
    if (token === '>') return s.length > i;
    if (i >= s.length) return false;
    if (token !== '*' && token !== s[i]) return false;
  }
  return f.length === s.length;
}

/** Whether some subject matches both filters (work-queue streams allow no overlap between consumers). */
export function filtersOverlap(a: string, b: string): boolean {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === '>' || q === '>') return p !== undefined && q !== undefined;
    if (p === undefined || q === undefined) return false;
    if (p !== '*' && q !== '*' && p !== q) return false;
  }
  return true;
}

/**
 * A matcher for one filter, with fast paths for the common shapes (exact, `prefix.>`), so the
 * in-process bus does not split strings on every publish.
 */
export function compileFilter(filter: string): (subject: string) => boolean {
  if (!filter.includes('*') && !filter.includes('>')) return (subject) => subject === filter;
  if (filter.endsWith('.>') && !filter.includes('*') && filter.indexOf('>') === filter.length - 1) {
    const prefix = filter.slice(0, -1);
    return (subject) => subject.length > prefix.length && subject.startsWith(prefix);
  }
  return (subject) => subjectMatches(filter, subject);
}
