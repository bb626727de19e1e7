import { compileRule } from './compiler/compile-rule';
import { RuleCompileError, RuleRuntimeError, RuleSqlError, type RuleClause } from './errors';
import { eventByName, eventsOfFilter, isEventFilter, RULE_EVENTS } from './events/events';
import { topicMatches } from './topic-filter/topic-filter';
import type { RuleContext } from './types';

/** What `sluice rule test` and the gateway's rule testing print for one SQL and context. */
export type TestRuleResult =
  | { readonly matched: true; readonly outputs: Record<string, unknown>[] }
  | { readonly matched: false; readonly outputs: [] }
  | { readonly error: TestRuleError };

export interface TestRuleError {
  readonly kind: 'syntax' | 'compile' | 'runtime';
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  /** For a runtime error: the clause it happened in (SELECT, WHERE, FOREACH, INCASE or DO). */
  readonly clause?: RuleClause;
}

/**
 * Compiles `sql` and runs it on one message or event context given as in EMQX's rule test API
 * (emqx_rule_sqltester.erl). `payload` is the published string. An event is named by `event`
 * (`client.connected`) or the API's `event_type` (`client_connected`); its context is matched
 * against FROM by the event's topic (`$events/client/connected`, legacy names and wildcards
 * included), a message's by its `topic`, and a context that matches no FROM filter is "no match".
 * As in EMQX, an event's columns the context leaves out get EMQX's example values. Never throws
 * for bad SQL or data: the error is returned.
 *
 * @example
 * testRule('SELECT payload.x AS x FROM "t/#"', { topic: 't/1', payload: '{"x":1}' });
 * // { matched: true, outputs: [{ x: 1 }] }
 * testRule('SELECT clientid, event FROM "$events/client/+"', { event_type: 'client_connected', clientid: 'a' });
 * // { matched: true, outputs: [{ clientid: 'a', event: 'client.connected' }] }
 */
export function testRule(
  sql: string,
  context: Readonly<Record<string, unknown>>,
  now: () => number = Date.now,
): TestRuleResult {
  let rule;
  try {
    rule = compileRule(sql);
  } catch (error) {
    if (error instanceof RuleSqlError) {
      return { error: { kind: 'syntax', message: error.message, line: error.line, column: error.column } };
    }
    if (error instanceof RuleCompileError) {
      const position = error.line === undefined ? {} : { line: error.line, column: error.column };
      return { error: { kind: 'compile', message: error.message, ...position } };
    }
    throw error;
  }
  const { ctx, inTopic } = toRuleContext(context, rule.topics, now);
  if (typeof inTopic === 'string' && !rule.topics.some((filter) => topicMatches(inTopic, filter))) {
    return { matched: false, outputs: [] };
  }
  const result = rule.evaluate(ctx);
  if ('error' in result) return { error: runtimeError(result.error) };
  return result.matched ? { matched: true, outputs: result.outputs } : { matched: false, outputs: [] };
}

function runtimeError(error: RuleRuntimeError): TestRuleError {
  return error.clause
    ? { kind: 'runtime', message: error.message, clause: error.clause }
    : { kind: 'runtime', message: error.message };
}

const EVENT_TYPES = new Map(RULE_EVENTS.map((e) => [e.name.replace(/\./g, '_'), e.name]));
EVENT_TYPES.set('message_publish', 'message.publish');

/**
 * EMQX's rule test: the event is the context's `event`, or its `event_type`, or (for a context
 * without a topic) that of the first FROM topic; the topic matched against FROM is `event_topic`, the event's topic, or (for a
 * message) `topic`; an event's missing columns get EMQX's example values; `event_type` is dropped.
 */
function toRuleContext(
  context: Readonly<Record<string, unknown>>,
  from: readonly string[],
  now: () => number,
): { ctx: RuleContext; inTopic: unknown } {
  const { event_type: eventType, ...columns } = context;
  const named =
    typeof columns['event'] === 'string'
      ? columns['event']
      : typeof eventType === 'string'
        ? EVENT_TYPES.get(eventType)
        : undefined;
  const first = from[0];
  // a context with neither an event nor a topic is taken as the first FROM topic's event
  const event =
    named !== undefined
      ? eventByName(named)
      : columns['topic'] === undefined && first !== undefined && isEventFilter(first)
        ? eventsOfFilter(first)[0]
        : undefined;
  if (!event) {
    const inTopic = columns['event_topic'] ?? columns['topic'];
    return { ctx: named ? { ...columns, event: named } : columns, inTopic };
  }
  const inTopic = columns['event_topic'] ?? event.topic;
  return { ctx: { ...event.example(now()), ...columns, event: event.name }, inTopic };
}
