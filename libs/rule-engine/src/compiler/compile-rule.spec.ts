import { compileRule, RuleCompileError, type RuleContext, type RuleResult } from '../index';
import { RuleRuntimeError } from '../errors';
import { Float } from '../numbers/erlang-number';

const message: RuleContext = {
  id: 'm1',
  topic: 't/dev1/temp',
  clientid: 'dev1',
  username: 'u1',
  qos: 1,
  payload: JSON.stringify({
    temp: 31.5,
    hum: 40,
    name: 'kitchen',
    tags: ['a', 'b', 'c'],
    nested: { deep: { v: 7 } },
    n: null,
  }),
};

function outputs(sql: string, ctx: RuleContext = message): Record<string, unknown>[] {
  const result = compileRule(sql).evaluate(ctx);
  if ('error' in result) throw result.error;
  if (!result.matched) throw new Error('no match');
  return result.outputs;
}

function one(sql: string, ctx: RuleContext = message): Record<string, unknown> {
  const [output] = outputs(sql, ctx);
  return output as Record<string, unknown>;
}

function value(expression: string, ctx: RuleContext = message): unknown {
  return one(`SELECT ${expression} AS v FROM "#"`, ctx).v;
}

function evaluate(sql: string, ctx: RuleContext = message): RuleResult {
  return compileRule(sql).evaluate(ctx);
}

function runtimeError(sql: string, ctx: RuleContext = message): RuleRuntimeError {
  const result = evaluate(sql, ctx);
  if (!('error' in result)) throw new Error(`expected a runtime error, got ${JSON.stringify(result)}`);
  return result.error;
}

describe('compileRule', () => {
  it('keeps the SQL and the FROM topics', () => {
    const rule = compileRule('SELECT * FROM "a/#", "b/+"');
    expect(rule.sql).toBe('SELECT * FROM "a/#", "b/+"');
    expect(rule.topics).toEqual(['a/#', 'b/+']);
  });

  describe('SELECT', () => {
    it('selects columns and payload fields, nesting unaliased paths like EMQX', () => {
      expect(one('SELECT clientid, payload.temp, payload.nested.deep.v FROM "#"')).toEqual({
        clientid: 'dev1',
        payload: { temp: 31.5, nested: { deep: { v: 7 } } },
      });
    });

    it('SELECT * gives the columns with the payload as published and the event name', () => {
      expect(one('SELECT * FROM "#"')).toEqual({ ...message, event: 'message.publish' });
    });

    it('SELECT * turns a byte payload into its text', () => {
      const bytes = new TextEncoder().encode('{"a":1}');
      expect(one('SELECT * FROM "#"', { topic: 't', payload: bytes })).toEqual({
        topic: 't',
        payload: '{"a":1}',
        event: 'message.publish',
      });
    });

    it('writes aliases, including nested alias targets', () => {
      expect(one('SELECT payload.temp AS t, clientid AS a.b.c, payload.hum AS a.h FROM "#"')).toEqual({
        t: 31.5,
        a: { b: { c: 'dev1' }, h: 40 },
      });
    });

    it('lets later fields and WHERE read earlier aliases', () => {
      expect(one('SELECT payload.temp AS t, t * 2 AS t2 FROM "#" WHERE t2 > 60')).toEqual({
        t: 31.5,
        t2: new Float(63), // 31.5 * 2 is the float 63.0
      });
      expect(evaluate('SELECT payload.temp AS t FROM "#" WHERE t > 40')).toEqual({ matched: false });
    });

    it('lets WHERE read the output name of a field without AS', () => {
      expect(one("SELECT 'on' FROM \"#\" WHERE on = 'on'")).toEqual({ on: 'on' });
    });

    it('keeps fields whose value is undefined, which JSON then leaves out (EMQX 5)', () => {
      const output = one('SELECT payload.missing AS m, a.b AS x.y, clientid FROM "#"');
      expect(output).toStrictEqual({ m: undefined, x: { y: undefined }, clientid: 'dev1' });
      expect(JSON.stringify(output)).toBe('{"x":{},"clientid":"dev1"}');
    });

    it('builds lists with index aliases as EMQX does', () => {
      expect(one('SELECT [] AS c, 1 AS c[-0], 2 AS c[-0], 0 AS c[0] FROM "#"')).toEqual({ c: [0, 1, 2] });
      expect(one('SELECT [payload.hum, "topic", \'c\'] AS c FROM "#"')).toEqual({
        c: [40, 't/dev1/temp', 'c'],
      });
    });

    it('writes into a list read from the payload', () => {
      const ctx = { payload: '{"x":[1,{"y":[1,2]},3]}' };
      expect(one('SELECT payload, payload.x[2].y FROM "#"', ctx)).toEqual({
        payload: { x: [1, { y: [1, 2] }, 3] },
      });
      expect(one('SELECT 0 AS payload.x[2].y FROM "#"', ctx)).toEqual({ payload: { x: [{ y: 0 }] } });
      expect(one('SELECT payload.x, 0 AS payload.x[2].y FROM "#"', ctx)).toEqual({
        payload: { x: [1, { y: 0 }, 3] },
      });
    });

    it('reads through an alias of the raw payload', () => {
      expect(one('SELECT payload AS p, p.a.b AS c FROM "#"', { payload: '{"a":{"b":0}}' })).toMatchObject({
        c: 0,
      });
    });

    it('names a string constant by itself and other expressions with _v_ names', () => {
      expect(one("SELECT 'abc', 1 + 1, upper('x') FROM \"#\"")).toEqual({
        abc: 'abc',
        '_v_op_+': 2,
        _v_fun_upper: 'X',
      });
    });

    it('merges a payload path into a selected raw payload', () => {
      expect(
        one('SELECT *, payload.temp AS payload.t2 FROM "#"', { topic: 't', payload: '{"temp":1}' }),
      ).toEqual({
        topic: 't',
        event: 'message.publish',
        payload: { temp: 1, t2: 1 },
      });
    });

    it('writes an alias index into a list only where EMQX does', () => {
      expect(one('SELECT 1 AS a[1] FROM "#"')).toEqual({ a: [1] });
      expect(one('SELECT payload.tags AS l, 9 AS l[2], 0 AS l[0], 5 AS l[-0] FROM "#"')).toEqual({
        l: [0, 'a', 9, 'c', 5],
      });
      expect(one('SELECT payload.tags AS l, 9 AS l[7] FROM "#"')).toEqual({ l: ['a', 'b', 'c'] });
    });

    it('does not change the message when writing into a shared map', () => {
      const flags = { retain: false };
      expect(one('SELECT *, true AS flags.dup FROM "#"', { topic: 't', flags })).toMatchObject({
        flags: { retain: false, dup: true },
      });
      expect(flags).toEqual({ retain: false });
    });
  });

  describe('paths', () => {
    it('indexes lists from 1, and from the end with negative numbers', () => {
      expect(value('payload.tags[1]')).toBe('a');
      expect(value('payload.tags[3]')).toBe('c');
      expect(value('payload.tags[-1]')).toBe('c');
      expect(value('payload.tags[-3]')).toBe('a');
      expect(value('payload.tags[0]')).toBeUndefined();
      expect(value('payload.tags[4]')).toBeUndefined();
      expect(value('payload.tags[-4]')).toBeUndefined();
    });

    it('indexes by a variable resolved inside the payload', () => {
      expect(value('payload.tags[payload.i]', { payload: '{"tags":["x","y"],"payload":{"i":2}}' })).toBe('y');
    });

    it('slices ranges', () => {
      expect(value('payload.tags[2..3]')).toEqual(['b', 'c']);
      expect(value('payload.tags[1..-2]')).toEqual(['a', 'b']);
      expect(value('[1..4]')).toEqual([1, 2, 3, 4]);
      expect(runtimeError('SELECT payload.temp[1..2] FROM "#"').message).toMatch(/needs a list/);
    });

    it('reads quoted keys and keys that are numbers', () => {
      const ctx = { payload: '{"a b":{"1":"one"}}' };
      expect(value("payload.'a b'.1", ctx)).toBe('one');
      expect(value('payload."a b".1', ctx)).toBe('one');
    });

    it('steps into JSON text found inside the payload', () => {
      expect(value('payload.inner.x', { payload: JSON.stringify({ inner: '{"x":5}' }) })).toBe(5);
      expect(value('payload.inner.x', { payload: JSON.stringify({ inner: 'not json' }) })).toBeUndefined();
    });

    it('reads user properties', () => {
      const ctx = { pub_props: { 'User-Property': { k: 'v' } } };
      expect(value("pub_props.'User-Property'.k", ctx)).toBe('v');
    });

    it('never reaches Object.prototype', () => {
      expect(value('payload.constructor', { payload: '{}' })).toBeUndefined();
      expect(value('payload."__proto__"', { payload: '{}' })).toBeUndefined();
      expect(value('payload."__proto__"', { payload: '{"__proto__":1}' })).toBe(1);
      expect(value('payload.toString', { payload: '{}' })).toBeUndefined();
      expect(value('constructor', { payload: '{}' })).toBeUndefined();
    });

    it('fails the message when a non-JSON payload is stepped into', () => {
      expect(runtimeError('SELECT payload.x FROM "#"', { payload: 'hello' }).message).toMatch(
        /payload is not valid JSON/,
      );
    });

    it('returns the raw payload when no field is read, even when it is not JSON', () => {
      expect(value('payload', { payload: 'hello' })).toBe('hello');
    });
  });

  describe('arithmetic', () => {
    it.each([
      ['7 + 3', 10],
      ['7 - 10', -3],
      ['6 * 7', 42],
      ['7 / 2', 3.5],
      ['7 div 2', 3],
      ['-7 div 2', -3],
      ['7 mod 3', 1],
      ['-7 mod 3', -1],
      ['2 + 3 * 4', 14],
      ['(2 + 3) * 4', 20],
      ['- payload.hum', -40],
      ["'ab' + 'cd'", 'abcd'],
      ["'n=' + 1", 'n=1'],
      ["payload.name + '!'", 'kitchen!'],
    ])('%s = %j', (expression, expected) => {
      expect(value(expression)).toBe(expected);
    });

    it.each([['1 / 0'], ['1 div 0'], ['1 mod 0']])('%s fails the message', (expression) => {
      expect(runtimeError(`SELECT ${expression} FROM "#"`).message).toBe('SELECT: division by zero');
    });

    it.each([["1 - 'a'"], ['payload.missing * 2'], ['7.5 div 2'], ["- 'x'"], ['payload.missing + 1']])(
      '%s fails the message with a type error',
      (expression) => {
        expect(runtimeError(`SELECT ${expression} FROM "#"`).message).toMatch(/needs/);
      },
    );
  });

  describe('comparison and null rules', () => {
    it.each([
      ['payload.temp > 30', true],
      ['payload.temp >= 31.5', true],
      ['payload.temp < 31.5', false],
      ['payload.temp <= 31.5', true],
      ['payload.hum = 40', true],
      ['payload.hum != 40', false],
      ['payload.hum <> 41', true],
      ["payload.hum = '40'", true],
      ["'40.0' = payload.hum", true],
      ["payload.name = 'kitchen'", true],
      ["payload.name > 'kit'", true],
      ['payload.missing = 1', false],
      ['payload.missing != 1', false],
      ['payload.missing > 1', false],
      ['payload.missing = payload.other', true],
      ['payload.missing != payload.other', false],
      ["payload.n = 'null'", true],
      ["true = 'true'", true],
      ["payload.tags = ['a', 'b', 'c']", true],
      ["topic =~ 't/+/temp'", true],
      ["topic =~ 't/#'", true],
      ["topic =~ 'x/#'", false],
      ['1 < true', true],
      ["payload.nested > 'a'", false],
    ])('%s is %s', (expression, expected) => {
      const result = evaluate(`SELECT clientid FROM "#" WHERE ${expression}`);
      expect('matched' in result && result.matched).toBe(expected);
    });

    it('fails the message comparing a number with a non-numeric string', () => {
      expect(runtimeError('SELECT a FROM "#" WHERE 1 < \'a1\'').message).toMatch(/non-numeric string/);
    });

    it('returns comparison results as booleans in SELECT', () => {
      expect(one('SELECT payload.temp > 30 AS hot, payload.missing = 1 AS m FROM "#"')).toEqual({
        hot: true,
        m: false,
      });
    });
  });

  describe('logic', () => {
    it.each([
      ['payload.hum = 40 AND payload.temp > 30', true],
      ['payload.hum = 40 AND payload.temp > 40', false],
      ['payload.hum = 41 OR payload.temp > 30', true],
      ['payload.hum = 41 OR payload.temp > 40', false],
      ['NOT payload.hum = 41', true],
      ['NOT (payload.hum = 40 OR false)', false],
      ['NOT payload.name', false],
      ["payload.name IN ('a', 'kitchen')", true],
      ["payload.name NOT IN ('a', 'kitchen')", false],
      ['payload.hum IN (1, 2)', false],
      ["payload.hum IN ('40')", false],
      ['payload.hum NOT IN (1, 2)', true],
    ])('%s is %s', (expression, expected) => {
      const result = evaluate(`SELECT clientid FROM "#" WHERE ${expression}`);
      expect('matched' in result && result.matched).toBe(expected);
    });

    it('fails the message when WHERE does not give a boolean', () => {
      expect(runtimeError('SELECT a FROM "#" WHERE payload.name').message).toBe(
        'WHERE: the condition must give true or false, got string',
      );
      expect(runtimeError('SELECT a FROM "#" WHERE payload.missing').message).toMatch(/got undefined/);
      expect(runtimeError('SELECT a FROM "#" WHERE payload.hum AND true').message).toMatch(
        /AND needs true or false/,
      );
    });

    it('short-circuits AND and OR', () => {
      expect(evaluate('SELECT a FROM "#" WHERE false AND 1 / 0 = 1')).toEqual({ matched: false });
      expect(evaluate('SELECT clientid FROM "#" WHERE true OR 1 / 0 = 1')).toMatchObject({ matched: true });
    });
  });

  describe('CASE', () => {
    const sql = (temp: string) =>
      `SELECT CASE WHEN ${temp} > 30 THEN 'hot' WHEN ${temp} > 10 THEN 'ok' ELSE 'cold' END AS c FROM "#"`;
    it.each([
      ['35', 'hot'],
      ['20', 'ok'],
      ['5', 'cold'],
    ])('CASE WHEN picks the first true branch (%s -> %s)', (temp, expected) => {
      expect(one(sql(temp)).c).toBe(expected);
    });

    it('CASE with a subject compares exactly, and without ELSE gives nothing', () => {
      expect(value("CASE payload.hum WHEN 40 THEN 'forty' ELSE 'other' END")).toBe('forty');
      expect(value("CASE payload.hum WHEN '40' THEN 'forty' ELSE 'other' END")).toBe('other');
      expect(one('SELECT CASE payload.hum WHEN 1 THEN \'one\' END AS c FROM "#"')).toEqual({});
    });
  });

  describe('literals and functions', () => {
    it('evaluates literals and array literals', () => {
      expect(value("[1, 'a', true, payload.hum]")).toEqual([1, 'a', true, 40]);
      expect(value('1.5e2')).toEqual(new Float(150));
      expect(value("'it''s'")).toBe("it''s");
    });

    it('calls functions by any case and reads the message with context functions', () => {
      expect(value('ABS(-2)')).toBe(2);
      expect(value('topic(2)')).toBe('dev1');
      expect(value('topic()')).toBe('t/dev1/temp');
      expect(value("payload('nested.deep.v')")).toBe(7);
      expect(value('clientid()')).toBe('dev1');
    });

    it('rejects unknown functions and wrong argument counts at compile time with a position', () => {
      expect(() => compileRule('SELECT nope(1) FROM "t"')).toThrow(
        new RuleCompileError("unknown function 'nope'", 1, 8),
      );
      expect(() => compileRule('SELECT a,\n  abs() FROM "t"')).toThrow(
        new RuleCompileError("function 'abs' takes 1 argument(s), got 0", 2, 3),
      );
    });

    it('turns a function error into a runtime error result', () => {
      expect(runtimeError('SELECT abs(\'x\') FROM "#"')).toBeInstanceOf(RuleRuntimeError);
    });
  });

  describe('FROM topics', () => {
    it('refuses a $events topic that selects no EMQX event, saying where', () => {
      expect(() => compileRule('SELECT * FROM "t/1", "$events/client/connectd"')).toThrow(
        /^'\$events\/client\/connectd' selects no EMQX event .* at line 1, column 22$/,
      );
    });

    it('refuses invalid topic filters', () => {
      expect(() => compileRule('SELECT * FROM "a/#/b"')).toThrow(RuleCompileError);
      expect(() => compileRule('SELECT * FROM "a/b+"')).toThrow(/'\+' must be a whole level/);
    });

    it('accepts $SYS topics', () => {
      expect(compileRule('SELECT * FROM "$SYS/#"').topics).toEqual(['$SYS/#']);
    });
  });
});
