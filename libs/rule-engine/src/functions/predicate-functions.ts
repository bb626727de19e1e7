import { toMap } from './conversion-functions';
import type { RuleFunction } from './registry';
import { isErlangFloat, isErlangInteger, isErlangNumber } from '../numbers/erlang-number';
import { defineFunction, describe, fail, isBinary, isMap } from './values';

function predicate(name: string, test: (value: unknown) => boolean): RuleFunction {
  return defineFunction(name, 1, 1, ([value]) => test(value));
}

const isNull = (value: unknown): boolean => value === undefined;
const isNullVar = (value: unknown): boolean => value === undefined || value === null;
const isEmptyString = (value: unknown): boolean =>
  value === '' || (value instanceof Uint8Array && value.length === 0);

function isEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (isEmptyString(value)) return true;
  return Object.keys(toMap('is_empty', value)).length === 0;
}

/** `coalesce([A, B, ...])` or `coalesce(A, B)`: the first value that `skip` does not reject. */
function coalescing(name: string, skip: (value: unknown) => boolean): RuleFunction {
  return defineFunction(name, 1, 2, (args) => {
    let values = args;
    if (args.length === 1) {
      if (!Array.isArray(args[0]))
        return fail(name, `with one argument it must be an array, got ${describe(args[0])}`);
      values = args[0];
    }
    return values.find((value) => !skip(value));
  });
}

export const predicateFunctions: RuleFunction[] = [
  predicate('is_null', isNull),
  predicate('is_not_null', (value) => !isNull(value)),
  predicate('is_null_var', isNullVar),
  predicate('is_not_null_var', (value) => !isNullVar(value)),
  predicate('is_str', isBinary),
  predicate('is_bool', (value) => typeof value === 'boolean'),
  predicate('is_int', isErlangInteger),
  predicate('is_float', isErlangFloat),
  predicate('is_num', isErlangNumber),
  predicate('is_map', isMap),
  predicate('is_array', (value) => Array.isArray(value)),
  predicate('is_empty', isEmpty),
  defineFunction('null', 0, 0, () => undefined),
  coalescing('coalesce', isNull),
  // why: in Erlang "" is the empty list, so coalesce_ne skips [] as well as ''
  coalescing(
    'coalesce_ne',
    (value) => isNull(value) || isEmptyString(value) || (Array.isArray(value) && !value.length),
  ),
];
