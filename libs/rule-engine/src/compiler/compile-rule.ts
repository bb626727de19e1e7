import type { ExpressionNode } from '../ast/expression-node';
import type { ForeachNode } from '../ast/foreach-node';
import type { SelectNode } from '../ast/select-node';
import { RuleCompileError, RuleRuntimeError, type RuleClause } from '../errors';
import { parseRule } from '../parser/rule-parser';
import type { CompiledRule, RuleContext, RuleResult } from '../types';
import { checkTopics } from './check-topics';
import { compileExpression } from './compile-expression';
import { compileField, compileFields, writeColumns } from './compile-fields';
import { EvalEnv, type Evaluator } from './eval-env';
import { putOutput } from './output-path';
import { readColumns } from './read-columns';
import { referencedRoots } from './references';
import type { Scope } from './scope';
import { typeName } from './values';

const NO_MATCH: RuleResult = Object.freeze({ matched: false });

/**
 * Compiles EMQX rule SQL once into closures; `evaluate` then runs per message (or event context)
 * without parsing and never throws. Throws `RuleSqlError` (syntax) or `RuleCompileError` (unknown
 * function, wrong argument count, invalid topic filter, `$events/...` topic of no EMQX event).
 *
 * @example
 * const rule = compileRule('SELECT payload.temp AS t FROM "sensors/+" WHERE payload.temp > 30');
 * rule.evaluate({ topic: 'sensors/a', payload: '{"temp":31}' }); // { matched: true, outputs: [{ t: 31 }] }
 */
export function compileRule(sql: string): CompiledRule {
  const statement = parseRule(sql);
  const { topics, events } = checkTopics(statement.from);
  const evaluate = statement.kind === 'SelectNode' ? compileSelect(statement) : compileForeach(statement);
  const columns = Object.freeze(readColumns(statement));
  return Object.freeze({
    sql,
    topics: Object.freeze(topics),
    events: Object.freeze(events),
    columns,
    evaluate,
  });
}

function compileSelect(statement: SelectNode): (ctx: RuleContext) => RuleResult {
  const fields = compileFields(statement.fields);
  const where = statement.where && compileCondition(statement.where, { aliases: fields.aliasRoots });
  // EMQX computes the fields before WHERE; when WHERE reads no alias the order cannot change a
  // match, so filter first and skip the projection of messages that do not match
  const whereFirst = where !== undefined && !dependsOn(statement.where as ExpressionNode, fields.aliasRoots);
  return (ctx) => {
    const env = new EvalEnv(ctx);
    // why a variable: naming the clause of an error costs one store per stage, not a try per stage
    let clause: RuleClause = 'SELECT';
    try {
      if (whereFirst) {
        clause = 'WHERE';
        if (!where(env)) return NO_MATCH;
        clause = 'SELECT';
        fields.run(env);
      } else {
        fields.run(env);
        clause = 'WHERE';
        if (where && !where(env)) return NO_MATCH;
      }
      return { matched: true, outputs: [env.out] };
    } catch (error) {
      return { error: asRuntimeError(error, clause) };
    }
  };
}

function compileForeach(statement: ForeachNode): (ctx: RuleContext) => RuleResult {
  const last = statement.fields[statement.fields.length - 1];
  if (last?.kind !== 'SelectFieldNode') {
    const { line, column } = (last ?? statement).position;
    throw new RuleCompileError(
      'FOREACH needs an expression giving the list to iterate as its last field',
      line,
      column,
    );
  }
  const head = compileFields(statement.fields.slice(0, -1));
  const collection = compileField(last, { aliases: head.aliasRoots });
  const item = last.alias?.root ?? 'item';
  // emqx_rule_runtime:ensure_list/2: FOREACH over the bare payload column iterates the decoded JSON
  const iteratesPayload =
    last.expression.kind === 'ReferenceNode' &&
    last.expression.root === 'payload' &&
    last.expression.path.length === 0 &&
    !head.aliasRoots.has('payload');
  const whereAliases = new Set([...head.aliasRoots, collection.target.root]);
  const where = statement.where && compileCondition(statement.where, { aliases: whereAliases });
  const each = { item, selected: whereAliases };
  const incase = statement.incase && compileCondition(statement.incase, { ...each, aliases: new Set() });
  const doFields = compileFields(statement.doFields, each);
  return (ctx) => {
    const env = new EvalEnv(ctx);
    let clause: RuleClause = 'FOREACH';
    try {
      head.run(env);
      const value = collection.value(env);
      putOutput(env.out, collection.target, value);
      const list = iteratesPayload ? payloadList(env) : value;
      env.selected = env.out;
      clause = 'WHERE';
      if (where && !where(env)) return NO_MATCH;
      const outputs: Record<string, unknown>[] = [];
      // EMQX iterates lists only; anything else yields no items
      if (Array.isArray(list)) {
        for (const value of list as unknown[]) {
          env.item = value;
          clause = 'INCASE';
          if (incase && !incase(env)) continue;
          clause = 'DO';
          env.out = {};
          if (doFields.empty) writeColumns(env, item);
          else doFields.run(env);
          outputs.push(env.out);
        }
      }
      return { matched: true, outputs };
    } catch (error) {
      return { error: asRuntimeError(error, clause) };
    }
  };
}

/** WHERE and INCASE must give true or false; anything else fails the message, as in EMQX. */
function compileCondition(node: ExpressionNode, scope: Scope): (env: EvalEnv) => boolean {
  const evaluate: Evaluator = compileExpression(node, scope);
  return (env) => {
    const value = evaluate(env);
    if (value === true) return true;
    if (value === false) return false;
    throw new RuleRuntimeError(`the condition must give true or false, got ${typeName(value)}`);
  };
}

/** The payload decoded as a list, or none when it is not JSON (EMQX's maybe_decode_payload keeps it as text). */
function payloadList(env: EvalEnv): unknown {
  try {
    return env.decodedPayload();
  } catch {
    return undefined;
  }
}

function dependsOn(node: ExpressionNode, roots: ReadonlySet<string>): boolean {
  for (const root of referencedRoots(node)) if (roots.has(root)) return true;
  return false;
}

/** The error of one evaluation, naming the clause it happened in (as EMQX's rule test does). */
function asRuntimeError(error: unknown, clause: RuleClause): RuleRuntimeError {
  if (error instanceof RuleRuntimeError && error.clause) return error;
  const message =
    error instanceof RuleRuntimeError
      ? error.message
      : `rule evaluation failed: ${error instanceof Error ? error.message : String(error)}`;
  return new RuleRuntimeError(message, { cause: error, clause });
}
