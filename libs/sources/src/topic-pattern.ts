/** Fields a topic pattern may capture; they are the EMQX rule fields of the same names. */
export const topicPatternFields = ['clientid', 'username'] as const;
export type TopicPatternField = (typeof topicPatternFields)[number];

export type TopicPatternMatcher = (topic: string) => Partial<Record<TopicPatternField, string>> | undefined;

/**
 * Compiles `devices/{clientid}/telemetry` into a function that returns the captured fields of a
 * matching topic, or `undefined`. `{name}` captures one level, `+` matches one level, a final `#`
 * matches the rest. Throws on an unknown field or a malformed level.
 *
 * @example compileTopicPattern('d/{clientid}/#')('d/c1/t') // { clientid: 'c1' }
 */
export function compileTopicPattern(pattern: string): TopicPatternMatcher {
  const levels = pattern.split('/');
  const steps: (
    { kind: 'literal'; text: string } | { kind: 'any' } | { kind: 'capture'; field: TopicPatternField }
  )[] = [];
  let rest = false;
  for (const [i, level] of levels.entries()) {
    if (level === '#') {
      if (i !== levels.length - 1) throw new Error("'#' must be the last level");
      rest = true;
    } else if (level === '+') {
      steps.push({ kind: 'any' });
    } else if (/^\{.*\}$/.test(level)) {
      const field = level.slice(1, -1);
      if (!(topicPatternFields as readonly string[]).includes(field)) {
        throw new Error(
          `unknown field {${field}}; expected ${topicPatternFields.map((f) => `{${f}}`).join(' or ')}`,
        );
      }
      steps.push({ kind: 'capture', field: field as TopicPatternField });
    } else if (/[{}+#]/.test(level)) {
      throw new Error(`level ${JSON.stringify(level)} mixes text with {, }, + or #`);
    } else {
      steps.push({ kind: 'literal', text: level });
    }
  }
  return (topic) => {
    const parts = topic.split('/');
    if (rest ? parts.length < steps.length : parts.length !== steps.length) return undefined;
    const captured: Partial<Record<TopicPatternField, string>> = {};
    for (const [i, step] of steps.entries()) {
      const part = parts[i] as string;
      if (step.kind === 'literal' && part !== step.text) return undefined;
      if (step.kind === 'capture') captured[step.field] = part;
    }
    return captured;
  };
}
