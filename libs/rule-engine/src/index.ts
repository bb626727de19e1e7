export { compileRule } from './compiler/compile-rule';
export { testRule } from './test-rule';
export { ruleFunctionSignatures } from './functions/function-list';
export type { RuleFunctionSignature } from './functions/function-list';
export { runRuleTestCli } from './cli/rule-test-cli';
export { TopicFilterIndex } from './topic-filter/topic-filter-index';
export { RuleSqlError, RuleCompileError } from './errors';
export type { CompiledRule, RuleContext, RuleResult } from './types';
export { stringifyJson } from './numbers/json-numbers';
export {
  EMQX_SYS_CLIENT_FILTERS,
  isSysClientEvent,
  sysClientEventContext,
  sysClientEventTopic,
} from './events/sys-client-events';
