import { compileRule, testRule } from '../index';

// EMQX's rule test names the clause that failed (emqx_rule_runtime.erl raises
// select_and_transform_error, match_conditions_error, select_and_collect_error, ... with the
// function's error inside); Sluice prefixes the message with the clause and sets `clause`.
describe('runtime errors name their clause and function', () => {
  const ctx = { topic: 't', payload: '{"l":["x"],"s":"x"}' };
  it.each([
    ['SELECT abs(payload.s) AS a FROM "t"', 'SELECT', 'SELECT: abs: argument must be a number, got "x"'],
    [
      'SELECT 1 AS a FROM "t" WHERE abs(payload.s) > 1',
      'WHERE',
      'WHERE: abs: argument must be a number, got "x"',
    ],
    [
      'SELECT 1 AS a FROM "t" WHERE payload.s',
      'WHERE',
      'WHERE: the condition must give true or false, got string',
    ],
    ['FOREACH abs(payload.s) FROM "t"', 'FOREACH', 'FOREACH: abs: argument must be a number, got "x"'],
    ['FOREACH payload.l AS e DO abs(e) AS a FROM "t"', 'DO', 'DO: abs: argument must be a number, got "x"'],
    [
      'FOREACH payload.l AS e INCASE abs(e) > 1 FROM "t"',
      'INCASE',
      'INCASE: abs: argument must be a number, got "x"',
    ],
    [
      'FOREACH payload.l AS e FROM "t" WHERE abs(payload.s) > 1',
      'WHERE',
      'WHERE: abs: argument must be a number, got "x"',
    ],
  ])('%s', (sql, clause, message) => {
    expect(testRule(sql, ctx)).toEqual({ error: { kind: 'runtime', clause, message } });
    const result = compileRule(sql).evaluate(ctx);
    expect(result).toMatchObject({ error: { clause, message } });
  });

  it('rulesql module-qualified calls reach the built-in functions (emqx_rule_funcs.upper)', () => {
    expect(testRule('SELECT emqx_rule_funcs.upper(\'a\') AS u FROM "t"', { topic: 't' })).toEqual({
      matched: true,
      outputs: [{ u: 'A' }],
    });
    expect(testRule('SELECT other_mod.upper(\'a\') AS u FROM "t"', { topic: 't' })).toMatchObject({
      error: {
        kind: 'compile',
        message:
          "unknown function 'other_mod.upper' (Sluice has no plugin function modules) at line 1, column 8",
      },
    });
  });
});
