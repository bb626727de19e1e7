import type { RuleFunction } from './registry';
import { deepEqual, defineFunction, fail, requireArray, requireInteger } from './values';

function nth([index, list]: unknown[]): unknown {
  const n = requireInteger('nth', index, 'index');
  const items = requireArray('nth', list);
  if (n < 1 || n > items.length) return fail('nth', `index ${n} is outside 1..${items.length}`);
  return items[n - 1];
}

/** lists:sublist/2,3: 1-based start that may be one past the end; lengths past the end are cut. */
function sublist(args: unknown[]): unknown[] {
  const fn = 'sublist';
  const [start, length, list] = args.length === 2 ? [1, args[0], args[1]] : args;
  const from = requireInteger(fn, start, 'start');
  const count = requireInteger(fn, length, 'length');
  const items = requireArray(fn, list);
  if (count < 0) return fail(fn, `length must not be negative, got ${count}`);
  if (from < 1 || from > items.length + 1) return fail(fn, `start ${from} is outside 1..${items.length + 1}`);
  return items.slice(from - 1, from - 1 + count);
}

function nonEmpty(fn: string, list: unknown): unknown[] {
  const items = requireArray(fn, list);
  if (items.length === 0) fail(fn, 'the array is empty');
  return items;
}

export const arrayFunctions: RuleFunction[] = [
  defineFunction('nth', 2, 2, nth),
  defineFunction('length', 1, 1, ([list]) => requireArray('length', list).length),
  defineFunction('sublist', 2, 3, sublist),
  defineFunction('first', 1, 1, ([list]) => nonEmpty('first', list)[0]),
  defineFunction('last', 1, 1, ([list]) => nonEmpty('last', list).at(-1)),
  defineFunction('contains', 2, 2, ([item, list]) =>
    requireArray('contains', list).some((x) => deepEqual(x, item)),
  ),
];
