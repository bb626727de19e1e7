export { RuleSqlError, RuleCompileError, RuleRuntimeError } from './errors';
