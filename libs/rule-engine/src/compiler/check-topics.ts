import type { TopicNode } from '../ast/topic-node';
import { RuleCompileError } from '../errors';
import { topicFilterProblem } from '../topic-filter/topic-filter';

/**
 * Validates the FROM topics. `$events/...` topics are EMQX broker events (client connected,
 * message delivered, ...) raised inside the broker; Sluice is an ordinary MQTT client of the
 * broker and never sees them, so every one is refused at compile time with that reason.
 */
export function checkTopics(from: readonly TopicNode[]): string[] {
  return from.map((topic) => {
    const { line, column } = topic.position;
    if (topic.filter.startsWith('$events/')) {
      throw new RuleCompileError(
        `'${topic.filter}' is an EMQX broker event: Sluice is an MQTT client of the broker and cannot see broker events, ` +
          'only messages published to topics (where the broker publishes such events to a topic, e.g. $SYS/#, select from that topic instead)',
        line,
        column,
      );
    }
    const problem = topicFilterProblem(topic.filter);
    if (problem)
      throw new RuleCompileError(`invalid topic filter '${topic.filter}': ${problem}`, line, column);
    return topic.filter;
  });
}
