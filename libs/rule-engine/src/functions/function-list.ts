import { builtinFunctions } from './registry';

/** A built-in SQL function as an editor completes it. */
export interface RuleFunctionSignature {
  name: string;
  minArgs: number;
  /** null: variadic. */
  maxArgs: number | null;
}

/**
 * Every built-in function the compiler accepts, with its arity, sorted by name: the list an editor
 * offers (the compiler checks calls against the same registry).
 *
 * @example ruleFunctionSignatures().find((f) => f.name === 'substr') // { name: 'substr', minArgs: 2, maxArgs: 3 }
 */
export function ruleFunctionSignatures(): RuleFunctionSignature[] {
  return [...builtinFunctions.values()]
    .map((fn) => ({
      name: fn.name,
      minArgs: fn.minArgs,
      maxArgs: fn.maxArgs === Infinity ? null : fn.maxArgs,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
