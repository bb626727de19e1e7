import { compileRule, type RuleContext } from '../index';
import { Float } from '../numbers/erlang-number';
import { stringifyJson } from '../numbers/json-numbers';

// Erlang arithmetic as EMQX's operators apply it (emqx_rule_funcs.erl '+', '-', '*', '/', 'div', mod;
// emqx_rule_runtime.erl compare/3 and match_conditions for IN; eval_switch_clauses for CASE x WHEN).

function select(expression: string, payload = '{}'): unknown {
  const result = compileRule(`SELECT ${expression} AS r FROM "t"`).evaluate({ topic: 't', payload });
  if ('error' in result) throw result.error;
  return result.matched ? result.outputs[0]?.['r'] : 'no match';
}

function matches(where: string, payload: string): boolean {
  const result = compileRule(`SELECT 1 AS r FROM "t" WHERE ${where}`).evaluate({ topic: 't', payload });
  if ('error' in result) throw result.error;
  return result.matched;
}

describe('numbers in rules', () => {
  it('keep integers integers and make floats with / and float operands', () => {
    expect(select('6 / 2')).toEqual(new Float(3));
    expect(select('7 / 2')).toBe(3.5);
    expect(select('2 * 3')).toBe(6);
    expect(select('1.5 + 1.5')).toEqual(new Float(3));
    expect(select('2.0 - 2')).toEqual(new Float(0));
    expect(select('-(2.0)')).toEqual(new Float(-2));
  });

  it('stay exact beyond 2^53', () => {
    const big = '{"n":9007199254740993}';
    expect(select('payload.n + 1', big)).toBe(9007199254740994n);
    expect(select('payload.n - 9007199254740992', big)).toBe(1);
    expect(select('payload.n * 2', big)).toBe(18014398509481986n);
    expect(select('payload.n div 2', big)).toBe(4503599627370496);
    expect(select('payload.n mod 10', big)).toBe(3);
    expect(select('str(payload.n)', big)).toBe('9007199254740993');
    expect(select('9007199254740991 + 1')).toBe(9007199254740992n);
    expect(select('payload.n / 1', big)).toBe(9007199254740992);
  });

  it('need integers for div and mod, as the function clauses do', () => {
    expect(() => select('7 div 2.0')).toThrow(/'div' needs integers, got number and float/);
    expect(() => select('7.0 mod 2')).toThrow(/'mod' needs integers/);
    expect(select('-7 div 2')).toBe(-3);
    expect(select('-7 mod 2')).toBe(-1);
  });

  it('fail where Erlang raises badarith', () => {
    expect(() => select('1 / 0')).toThrow(/division by zero/);
    expect(() => select('1 / 0.0')).toThrow(/division by zero/);
    expect(() => select('1.0e308 * 10')).toThrow(/badarith/);
  });

  it('compare numerically with = but match exact terms with IN, CASE and contains', () => {
    const two = '{"x":2}';
    expect(matches('payload.x = 2.0', two)).toBe(true);
    expect(matches('payload.x IN (2.0)', two)).toBe(false);
    expect(matches('payload.x NOT IN (2.0)', two)).toBe(true);
    expect(matches('payload.x IN (1, 2)', two)).toBe(true);
    expect(select("CASE payload.x WHEN 2.0 THEN 'float' ELSE 'other' END", two)).toBe('other');
    expect(select('contains(2, [2.0])')).toBe(false);
    expect(matches('payload.n = 9007199254740992', '{"n":9007199254740993}')).toBe(false);
    expect(matches('payload.n > 9007199254740992', '{"n":9007199254740993}')).toBe(true);
    expect(matches("payload.x = '2.0'", two)).toBe(true);
  });

  it('write EMQX JSON for the outputs', () => {
    const rule = compileRule('SELECT 6 / 2 AS a, payload.n AS b, payload.f AS c FROM "t"');
    const ctx: RuleContext = { topic: 't', payload: '{"n":12345678901234567890,"f":2.0}' };
    const result = rule.evaluate(ctx);
    expect(result).toMatchObject({ matched: true });
    if (!('outputs' in result)) throw new Error('no outputs');
    expect(stringifyJson(result.outputs[0])).toBe('{"a":3.0,"b":12345678901234567890,"c":2.0}');
  });

  it('read number literals as rulesql lexes them', () => {
    expect(select('2.0e3')).toEqual(new Float(2000));
    expect(() => compileRule('SELECT 12e3 AS r FROM "t"')).toThrow(/not a number EMQX reads/);
    expect(() => compileRule('SELECT 1.5f AS r FROM "t"')).toThrow(/not a number EMQX reads/);
    expect(() => compileRule('SELECT 1e3 AS r FROM "t"')).toThrow();
  });
});
