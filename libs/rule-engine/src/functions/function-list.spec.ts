import { compileRule, ruleFunctionSignatures } from '@sluice/rule-engine';

describe('ruleFunctionSignatures', () => {
  const list = ruleFunctionSignatures();

  it('lists EMQX functions with their arity, sorted, variadic ones without a maximum', () => {
    expect(list.find((f) => f.name === 'substr')).toEqual({ name: 'substr', minArgs: 2, maxArgs: 3 });
    expect(list.find((f) => f.name === 'sprintf')).toEqual({ name: 'sprintf', minArgs: 1, maxArgs: null });
    expect(list.map((f) => f.name)).toEqual([...list.map((f) => f.name)].sort((a, b) => a.localeCompare(b)));
  });

  it('names only functions the compiler accepts at their minimum arity', () => {
    for (const fn of list) {
      const args = Array.from({ length: fn.minArgs }, () => "'1'").join(', ');
      expect(() => compileRule(`SELECT ${fn.name}(${args}) AS x FROM "t"`), fn.name).not.toThrow(
        /unknown function/i,
      );
    }
  });
});
