import { RuleRuntimeError, type RuleClause } from '../errors';
import type { RuleResult } from '../types';
import type { EvalEnv } from './eval-env';
import { typeName } from './values';

/** What every rule evaluation that does not match returns. */
export const NO_MATCH: RuleResult = Object.freeze({ matched: false });

/** WHERE and INCASE must give true or false; anything else fails the message, as in EMQX. */
export function conditionError(value: unknown): RuleRuntimeError {
  return new RuleRuntimeError(`the condition must give true or false, got ${typeName(value)}`);
}

/** The payload decoded as a list, or none when it is not JSON (EMQX's maybe_decode_payload keeps it as text). */
export function payloadList(env: EvalEnv): unknown {
  try {
    return env.decodedPayload();
  } catch {
    return undefined;
  }
}

/** The error of one evaluation, naming the clause it happened in (as EMQX's rule test does). */
export function asRuntimeError(error: unknown, clause: RuleClause): RuleRuntimeError {
  if (error instanceof RuleRuntimeError && error.clause) return error;
  const message =
    error instanceof RuleRuntimeError
      ? error.message
      : `rule evaluation failed: ${error instanceof Error ? error.message : String(error)}`;
  return new RuleRuntimeError(message, { cause: error, clause });
}
