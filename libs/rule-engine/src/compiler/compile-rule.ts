import type { ExpressionNode } from '../ast/expression-node';
import type { ForeachNode } from '../ast/foreach-node';
import type { SelectNode } from '../ast/select-node';
import { RuleCompileError, type RuleClause } from '../errors';
import { parseRule } from '../parser/rule-parser';
import type { CompiledRule, RuleContext, RuleResult } from '../types';
import { checkTopics } from './check-topics';
import { compileExpression } from './compile-expression';
import { compileField, compileFields, writeColumns } from './compile-fields';
import { EvalEnv, type Evaluator } from './eval-env';
import { putOutput } from './output-path';
import { readColumns } from './read-columns';
import { referencedRoots } from './references';
import {
  canGenerate,
  Emitter,
  foreachSource,
  generateForeach,
  generateSelect,
  selectSource,
  type ForeachPlan,
  type SelectPlan,
} from './generate';
import { asRuntimeError, conditionError, NO_MATCH, payloadList } from './rule-runtime';
import type { Scope } from './scope';

/** How `evaluate` runs: generated code (the default where the process allows it) or closures. */
export type RuleStrategy = 'generated' | 'closures';

/**
 * Compiles EMQX rule SQL once; `evaluate` then runs per message (or event context) without parsing
 * and never throws. Throws `RuleSqlError` (syntax) or `RuleCompileError` (unknown function, wrong
 * argument count, invalid topic filter, `$events/...` topic of no EMQX event). The evaluate function
 * is generated JavaScript (generate.ts, ADR 0007) unless the process forbids code generation; then
 * it is the closures it is built around, which give the same results.
 *
 * @example
 * const rule = compileRule('SELECT payload.temp AS t FROM "sensors/+" WHERE payload.temp > 30');
 * rule.evaluate({ topic: 'sensors/a', payload: '{"temp":31}' }); // { matched: true, outputs: [{ t: 31 }] }
 */
export function compileRule(sql: string): CompiledRule {
  return compileRuleWith(sql, canGenerate ? 'generated' : 'closures');
}

/** compileRule with the evaluation strategy chosen (the specs compare the two). */
export function compileRuleWith(sql: string, strategy: RuleStrategy): CompiledRule {
  const statement = parseRule(sql);
  const { topics, events } = checkTopics(statement.from);
  const evaluate =
    statement.kind === 'SelectNode'
      ? selectEvaluator(planSelect(statement), strategy)
      : foreachEvaluator(planForeach(statement), strategy);
  const columns = Object.freeze(readColumns(statement));
  return Object.freeze({
    sql,
    topics: Object.freeze(topics),
    events: Object.freeze(events),
    columns,
    evaluate,
  });
}

/**
 * The generated source of a rule's evaluate function, for the specs that check that rule text never
 * reaches it (generate.spec.ts).
 */
export function generatedSource(sql: string): string {
  const statement = parseRule(sql);
  const e = new Emitter();
  const body =
    statement.kind === 'SelectNode'
      ? selectSource(planSelect(statement), e)
      : foreachSource(planForeach(statement), e);
  return `${e.declarations()}\n${body}`;
}

function planSelect(statement: SelectNode): SelectPlan {
  const fields = compileFields(statement.fields);
  // EMQX computes the fields before WHERE; when WHERE reads no alias the order cannot change a
  // match, so filter first and skip the projection of messages that do not match
  const whereFirst = statement.where !== undefined && !dependsOn(statement.where, fields.aliasRoots);
  return { fieldNodes: statement.fields, fields, where: statement.where, whereFirst };
}

function selectEvaluator(plan: SelectPlan, strategy: RuleStrategy): (ctx: RuleContext) => RuleResult {
  const generated = strategy === 'generated' ? generateSelect(plan) : undefined;
  if (generated) return generated;
  const { fields, whereFirst } = plan;
  const where = plan.where && compileCondition(plan.where, { aliases: fields.aliasRoots });
  return (ctx) => {
    const env = new EvalEnv(ctx);
    // why a variable: naming the clause of an error costs one store per stage, not a try per stage
    let clause: RuleClause = 'SELECT';
    try {
      if (whereFirst) {
        clause = 'WHERE';
        if (where && !where(env)) return NO_MATCH;
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

function planForeach(statement: ForeachNode): ForeachPlan {
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
  const each = { item, selected: whereAliases };
  return {
    head,
    collection,
    iteratesPayload,
    where: statement.where,
    whereAliases,
    incase: statement.incase,
    doNodes: statement.doFields,
    doFields: compileFields(statement.doFields, each),
    writeItem: (env) => writeColumns(env, item),
    each,
  };
}

function foreachEvaluator(plan: ForeachPlan, strategy: RuleStrategy): (ctx: RuleContext) => RuleResult {
  const generated = strategy === 'generated' ? generateForeach(plan) : undefined;
  if (generated) return generated;
  const { head, collection, iteratesPayload, doFields, writeItem, each } = plan;
  const where = plan.where && compileCondition(plan.where, { aliases: plan.whereAliases });
  const incase = plan.incase && compileCondition(plan.incase, { ...each, aliases: new Set() });
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
          if (doFields.empty) writeItem(env);
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
    throw conditionError(value);
  };
}

function dependsOn(node: ExpressionNode, roots: ReadonlySet<string>): boolean {
  for (const root of referencedRoots(node)) if (roots.has(root)) return true;
  return false;
}
