import { RuleRuntimeError } from '../errors';

/** One built-in SQL function: arity bounds are checked by the compiler, `call` runs per message. */
export interface RuleFunction {
  name: string;
  minArgs: number;
  /** Infinity = variadic. */
  maxArgs: number;
  call(args: unknown[]): unknown;
}

const abs: RuleFunction = {
  name: 'abs',
  minArgs: 1,
  maxArgs: 1,
  call([x]) {
    if (typeof x !== 'number') throw new RuleRuntimeError(`abs: expected a number, got ${typeof x}`);
    return Math.abs(x);
  },
};

/**
 * Every built-in function by lower-case name; EMQX aliases are separate entries.
 * @example builtinFunctions.get('abs')?.call([-3]) // 3
 */
export const builtinFunctions: ReadonlyMap<string, RuleFunction> = new Map([[abs.name, abs]]);
