import { compileRule } from './compiler/compile-rule';
import { RuleCompileError, RuleRuntimeError, RuleSqlError } from './errors';
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
}

/**
 * Compiles `sql` and runs it on one message given as in EMQX's rule test API (`payload` as the
 * published string; `event_type` is accepted and ignored). Like EMQX, a context topic that matches
 * none of the FROM filters is "no match". Never throws for bad SQL or data: the error is returned.
 *
 * @example
 * testRule('SELECT payload.x AS x FROM "t/#"', { topic: 't/1', payload: '{"x":1}' });
 * // { matched: true, outputs: [{ x: 1 }] }
 */
export function testRule(sql: string, context: Readonly<Record<string, unknown>>): TestRuleResult {
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
  const ctx = toRuleContext(context);
  if (
    typeof ctx.topic === 'string' &&
    !rule.topics.some((filter) => topicMatches(ctx.topic as string, filter))
  ) {
    return { matched: false, outputs: [] };
  }
  const result = rule.evaluate(ctx);
  if ('error' in result) return { error: runtimeError(result.error) };
  return result.matched ? { matched: true, outputs: result.outputs } : { matched: false, outputs: [] };
}

function runtimeError(error: RuleRuntimeError): TestRuleError {
  return { kind: 'runtime', message: error.message };
}

function toRuleContext(context: Readonly<Record<string, unknown>>): RuleContext {
  const { event_type: _eventType, ...columns } = context;
  return columns;
}
