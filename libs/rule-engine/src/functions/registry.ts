import { arrayFunctions } from './array-functions';
import { bitFunctions } from './bit-functions';
import { codecFunctions } from './codec-functions';
import { conversionFunctions } from './conversion-functions';
import { dateFunctions } from './date-functions';
import { hashFunctions } from './hash-functions';
import { mapFunctions } from './map-functions';
import { mathFunctions } from './math-functions';
import { miscFunctions } from './misc-functions';
import { predicateFunctions } from './predicate-functions';
import { stringFormatFunctions } from './string-format-functions';
import { stringFunctions } from './string-functions';

/**
 * One built-in SQL function. The compiler checks the arity against minArgs/maxArgs once; `call` runs
 * per message with the evaluated arguments and throws RuleRuntimeError for input EMQX rejects.
 */
export interface RuleFunction {
  name: string;
  minArgs: number;
  /** Infinity = variadic. */
  maxArgs: number;
  call(args: unknown[]): unknown;
}

const families: RuleFunction[][] = [
  mathFunctions,
  bitFunctions,
  conversionFunctions,
  predicateFunctions,
  stringFunctions,
  stringFormatFunctions,
  mapFunctions,
  arrayFunctions,
  hashFunctions,
  codecFunctions,
  dateFunctions,
  miscFunctions,
];

function buildRegistry(): Map<string, RuleFunction> {
  const registry = new Map<string, RuleFunction>();
  for (const fn of families.flat()) {
    if (registry.has(fn.name)) throw new Error(`duplicate rule function ${fn.name}`);
    registry.set(fn.name, fn);
  }
  return registry;
}

/**
 * Every built-in function by lower-case name. EMQX's alias (timezone_to_second for
 * timezone_to_offset_seconds) is its own entry, so error messages name the function that was called.
 * @example builtinFunctions.get('abs')?.call([-3]) // 3
 */
export const builtinFunctions: ReadonlyMap<string, RuleFunction> = buildRegistry();
