import type { TopicNode } from '../ast/topic-node';
import { RuleCompileError } from '../errors';
import { eventsOfFilter, isEventFilter, routingTopics } from '../events/events';
import { topicFilterProblem } from '../topic-filter/topic-filter';

/**
 * Validates the FROM topics and gives what the rule is routed by: the filters, plus the 5.x topic
 * of every EMQX event a `$events/...` filter selects (legacy names and wildcards included), and the
 * names of those events. A `$events/...` filter that selects no EMQX event is refused.
 */
export function checkTopics(from: readonly TopicNode[]): { topics: string[]; events: string[] } {
  const topics = new Set<string>();
  const events = new Set<string>();
  for (const topic of from) {
    const { line, column } = topic.position;
    const problem = topicFilterProblem(topic.filter);
    if (problem)
      throw new RuleCompileError(`invalid topic filter '${topic.filter}': ${problem}`, line, column);
    if (isEventFilter(topic.filter)) {
      const selected = eventsOfFilter(topic.filter);
      if (selected.length === 0)
        throw new RuleCompileError(
          `'${topic.filter}' selects no EMQX event (event topics are like $events/client/connected; docs/rule-sql.md lists them)`,
          line,
          column,
        );
      for (const event of selected) events.add(event.name);
    }
    for (const t of routingTopics(topic.filter)) topics.add(t);
  }
  return { topics: [...topics], events: [...events] };
}
