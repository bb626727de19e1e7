import { parseRule } from './rule-parser';
import { RuleSqlError } from '../errors';

function syntaxError(sql: string): RuleSqlError {
  try {
    parseRule(sql);
  } catch (error) {
    if (error instanceof RuleSqlError) return error;
    throw error;
  }
  throw new Error(`expected a syntax error for: ${sql}`);
}

describe('parseRule', () => {
  it('parses SELECT with fields, aliases, FROM topics and WHERE', () => {
    const ast = parseRule('SELECT clientid AS c, payload.a.b FROM "t/#", "a/+" WHERE qos > 0');
    expect(ast.kind).toBe('SelectNode');
    expect(ast.from.map((t) => t.filter)).toEqual(['t/#', 'a/+']);
    expect(ast.fields).toHaveLength(2);
    const [first, second] = ast.fields;
    expect(first).toMatchObject({ kind: 'SelectFieldNode', alias: { root: 'c', path: [] } });
    expect(second).toMatchObject({
      expression: {
        kind: 'ReferenceNode',
        root: 'payload',
        path: [
          { type: 'key', key: 'a' },
          { type: 'key', key: 'b' },
        ],
      },
      alias: undefined,
    });
    expect(ast.where).toMatchObject({ kind: 'ComparisonNode', op: '>' });
  });

  it('returns frozen nodes', () => {
    const ast = parseRule('SELECT a FROM "t"');
    expect(Object.isFrozen(ast)).toBe(true);
    expect(Object.isFrozen(ast.fields[0])).toBe(true);
  });

  it('accepts keywords in any case', () => {
    const ast = parseRule('select a as b from "t" where a = 1 and not b in (1, 2)');
    expect(ast.where).toMatchObject({ kind: 'LogicalNode', op: 'and', right: { kind: 'NotNode' } });
  });

  it('reads an alias without AS, as rulesql does', () => {
    expect(parseRule('SELECT payload.x x FROM "t"').fields[0]).toMatchObject({ alias: { root: 'x' } });
  });

  it('parses nested alias targets', () => {
    expect(parseRule('SELECT 1 AS a.b[2] FROM "t"').fields[0]).toMatchObject({
      alias: {
        root: 'a',
        path: [
          { type: 'key', key: 'b' },
          { type: 'index', index: 2 },
        ],
      },
    });
  });

  it('parses indexes, negative indexes, quoted keys, numeric keys and ranges', () => {
    const field = parseRule(
      'SELECT payload.arr[1].x[-2].\'odd key\'."q".3, payload.l[2..-1] FROM "t"',
    ).fields;
    expect(field[0]).toMatchObject({
      expression: {
        path: [
          { type: 'key', key: 'arr' },
          { type: 'index', index: 1 },
          { type: 'key', key: 'x' },
          { type: 'index', index: -2 },
          { type: 'key', key: 'odd key' },
          { type: 'key', key: 'q' },
          { type: 'key', key: '3' },
        ],
      },
    });
    expect(field[1]).toMatchObject({
      expression: {
        path: [
          { type: 'key', key: 'l' },
          { type: 'range', begin: 2, end: -1 },
        ],
      },
    });
  });

  it('gives * / div mod precedence over + -, and unary minus over both', () => {
    const ast = parseRule('SELECT 1 + 2 * -x div 3 FROM "t"');
    expect(ast.fields[0]).toMatchObject({
      expression: {
        kind: 'BinaryOpNode',
        op: '+',
        right: { op: 'div', left: { op: '*', right: { kind: 'UnaryOpNode', op: '-' } } },
      },
    });
  });

  it('folds a minus sign into a number literal', () => {
    expect(parseRule('SELECT -5 FROM "t"').fields[0]).toMatchObject({
      expression: { kind: 'LiteralNode', value: -5 },
    });
  });

  it('binds AND tighter than OR', () => {
    const ast = parseRule('SELECT a FROM "t" WHERE a = 1 OR b = 2 AND c = 3');
    expect(ast.where).toMatchObject({ op: 'or', right: { op: 'and' } });
  });

  it('treats mod as an alias when no operand follows it', () => {
    expect(parseRule('SELECT x mod FROM "t"').fields[0]).toMatchObject({ alias: { root: 'mod' } });
    expect(parseRule('SELECT x mod 2 FROM "t"').fields[0]).toMatchObject({ expression: { op: 'mod' } });
  });

  it('parses only lower-case true and false as booleans', () => {
    const fields = parseRule('SELECT true, false, TRUE FROM "t"').fields;
    expect(fields[0]).toMatchObject({ expression: { kind: 'LiteralNode', value: true } });
    expect(fields[1]).toMatchObject({ expression: { kind: 'LiteralNode', value: false } });
    expect(fields[2]).toMatchObject({ expression: { kind: 'ReferenceNode', root: 'TRUE' } });
  });

  it('reads single quotes as strings and double quotes as names, like EMQX', () => {
    const fields = parseRule(`SELECT 'a b', "a b" FROM "t"`).fields;
    expect(fields[0]).toMatchObject({ expression: { kind: 'LiteralNode', value: 'a b' } });
    expect(fields[1]).toMatchObject({ expression: { kind: 'ReferenceNode', root: 'a b' } });
  });

  it('parses CASE with and without a subject', () => {
    const fields = parseRule(
      "SELECT CASE WHEN a > 1 THEN 'x' ELSE 'y' END, CASE a WHEN 1 THEN 2 END FROM \"t\"",
    ).fields;
    expect(fields[0]).toMatchObject({ expression: { kind: 'CaseNode', subject: undefined, whens: [{}] } });
    expect(fields[1]).toMatchObject({
      expression: { kind: 'CaseNode', subject: { root: 'a' }, otherwise: undefined },
    });
  });

  it('parses FOREACH with DO, INCASE and WHERE', () => {
    const ast = parseRule(
      'FOREACH payload.list AS e DO e.a AS a, clientid INCASE e.a > 1 FROM "t/#" WHERE qos = 1',
    );
    expect(ast).toMatchObject({
      kind: 'ForeachNode',
      incase: { kind: 'ComparisonNode' },
      where: { op: '=' },
    });
    if (ast.kind !== 'ForeachNode') throw new Error('unreachable');
    expect(ast.doFields).toHaveLength(2);
  });

  it('takes a bare name as a FROM topic, as rulesql does (from_column -> NAME)', () => {
    expect(parseRule('SELECT 1 FROM t, "a/#", b_1$x@y~z WHERE true').from.map((t) => t.filter)).toEqual([
      't',
      'a/#',
      'b_1$x@y~z',
    ]);
  });

  it('refuses a bare topic path with a hint to quote it, as EMQX refuses it', () => {
    const path = syntaxError('SELECT 1 FROM t/1');
    expect(path.message).toMatch(/must be quoted/);
    expect([path.line, path.column]).toEqual([1, 15]);
    expect(syntaxError('SELECT 1 FROM t/#').message).toMatch(/quote a topic filter/);
  });

  it('skips -- comments', () => {
    expect(parseRule('SELECT a -- the a\nFROM "t"').fields).toHaveLength(1);
  });

  it('parses array literals and function calls', () => {
    expect(parseRule('SELECT [1, a, f(b, 2)] FROM "t"').fields[0]).toMatchObject({
      expression: {
        kind: 'ListNode',
        elements: [{ value: 1 }, { root: 'a' }, { kind: 'FunctionCallNode', name: 'f' }],
      },
    });
  });

  describe('syntax errors', () => {
    it.each([
      ['SELECT * FORM "t"', "unexpected 'FORM', expected FROM", 1, 10],
      ['SELECT a\nFROM 1', "unexpected '1', expected a quoted topic filter", 2, 6],
      ['SELECT FROM "t"', "unexpected 'FROM', expected an expression", 1, 8],
      ['UPDATE x', "unexpected 'UPDATE', expected SELECT or FOREACH", 1, 1],
      ['SELECT a FROM "t" WHERE', 'unexpected end of input, expected an expression', 1, 24],
      ['SELECT f(a FROM "t"', "unexpected 'FROM', expected ',' or ')'", 1, 12],
      ['SELECT CASE WHEN a THEN b FROM "t"', "unexpected 'FROM', expected WHEN, ELSE or END", 1, 27],
      ['SELECT a FROM "t" WHERE a = 1 b', "unexpected 'b', expected end of input", 1, 31],
      ['SELECT \'abc FROM "t"', 'unterminated string', 1, 8],
      ['SELECT a # b FROM "t"', 'unexpected character \'#\' (quote a topic filter: FROM "a/#")', 1, 10],
      ['SELECT a AS FROM "t"', "unexpected 'FROM', expected an alias name", 1, 13],
      ['  SELECT a\n  FROM "t"\n  WHERE a IN 1', "unexpected '1', expected '('", 3, 14],
      ['FOREACH a FROM "t" WHERE', 'unexpected end of input, expected an expression', 1, 25],
      ['FOREACH a WHERE a FROM "t"', "unexpected 'WHERE', expected DO, INCASE or FROM", 1, 11],
    ])('%j', (sql, detail, line, column) => {
      const error = syntaxError(sql);
      expect(error.detail).toBe(detail);
      expect([error.line, error.column]).toEqual([line, column]);
      expect(error.message).toBe(`${detail} at line ${line}, column ${column}`);
      expect(error.code).toBe('RULE_SQL_SYNTAX');
    });

    it('refuses deep nesting with a syntax error instead of overflowing the stack', () => {
      const error = syntaxError(`SELECT ${'('.repeat(5000)}1${')'.repeat(5000)} FROM "t"`);
      expect(error.detail).toBe('expression nested too deeply');
    });
  });
});
