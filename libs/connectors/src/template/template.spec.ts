import { compileCommandTemplate } from './command-template';
import { compileSqlTemplate } from './sql-template';
import { compileTemplate } from './template';
import { TemplateSyntaxError } from '../errors';

const input = {
  id: 'msg-1',
  data: {
    topic: 't/1',
    clientid: 'c1',
    payload: '{"temp":21.5,"a":{"b":"deep"},"n":null,"ok":true,"list":[1,2]}',
    obj: { x: 1, nested: { y: 'z' } },
  },
};

describe('compileTemplate', () => {
  it('renders ${.} as the JSON text the data came from when the caller has it, else as JSON', () => {
    const whole = compileTemplate('${.}');
    expect(whole.render({ data: { a: 1 } })).toBe('{"a":1}');
    // the text is sent as it is, not serialized again from data
    expect(whole.render({ data: { a: 1 }, json: '{ "a": 1 }' })).toBe('{ "a": 1 }');
    expect(compileTemplate('x=${.}').render({ data: { a: 1 }, json: '{"a":1}' })).toBe('x={"a":1}');
    // a field path still reads data
    expect(compileTemplate('${a}').render({ data: { a: 2 }, json: '{"a":1}' })).toBe('2');
  });

  it('renders top-level fields and text around them', () => {
    expect(compileTemplate('${topic} from ${clientid}!').render(input)).toBe('t/1 from c1!');
  });

  it('decodes a JSON payload string to reach nested fields', () => {
    expect(compileTemplate('${payload.temp}|${payload.a.b}').render(input)).toBe('21.5|deep');
  });

  it('reads nested maps without decoding', () => {
    expect(compileTemplate('${obj.nested.y}').render(input)).toBe('z');
  });

  it('renders maps and lists as JSON, booleans and null as words', () => {
    expect(compileTemplate('${payload.a}').render(input)).toBe('{"b":"deep"}');
    expect(compileTemplate('${payload.list}').render(input)).toBe('[1,2]');
    expect(compileTemplate('${payload.ok} ${payload.n}').render(input)).toBe('true null');
  });

  it('renders the whole data for ${.}', () => {
    const t = compileTemplate('${.}');
    expect(JSON.parse(t.render({ data: { a: 1, b: 'x' } }))).toEqual({ a: 1, b: 'x' });
  });

  it('ignores a leading dot in a path, as EMQX does', () => {
    expect(compileTemplate('${.topic}').render(input)).toBe('t/1');
  });

  it("renders a missing value as 'undefined' by default and empty when asked", () => {
    expect(compileTemplate('a${payload.nope}b').render(input)).toBe('aundefinedb');
    expect(compileTemplate('a${nope.x}b', { missing: 'empty' }).render(input)).toBe('ab');
  });

  it('treats a path through a non-map as missing', () => {
    expect(compileTemplate('${topic.x}').render(input)).toBe('undefined');
    expect(compileTemplate('${payload.list.0}').render(input)).toBe('undefined');
  });

  it('falls back to the record id for ${id} and prefers data.id', () => {
    expect(compileTemplate('${id}').render(input)).toBe('msg-1');
    expect(compileTemplate('${id}').render({ id: 'r', data: { id: 'own' } })).toBe('own');
  });

  it('prints floats with at most 10 decimals like Erlang compact', () => {
    expect(compileTemplate('${v}').render({ data: { v: 0.1 + 0.2 } })).toBe('0.3');
    expect(compileTemplate('${v}').render({ data: { v: 42 } })).toBe('42');
  });

  it('gives the raw value for a single-placeholder template', () => {
    expect(compileTemplate('${payload.temp}').value(input)).toBe(21.5);
    expect(compileTemplate('x${payload.temp}').value(input)).toBe('x21.5');
    expect(compileTemplate('${nope}').value(input)).toBeUndefined();
  });

  it('leaves text without placeholders alone, including a lone $', () => {
    expect(compileTemplate('cost: $5 {x}').render(input)).toBe('cost: $5 {x}');
  });

  it('rejects unterminated and empty placeholders with their offset', () => {
    expect(() => compileTemplate('ab${topic')).toThrow(TemplateSyntaxError);
    expect(() => compileTemplate('ab${topic')).toThrow(/offset 2/);
    expect(() => compileTemplate('${}')).toThrow(/empty placeholder/);
    expect(() => compileTemplate('${a..b}')).toThrow(/bad placeholder path/);
  });
});

describe('compileSqlTemplate', () => {
  const sql = "INSERT INTO t (id, topic, temp, a) VALUES (${id}, '${topic}', ${payload.temp}, ${payload.a})";

  it('binds placeholders as $n parameters for postgres, dropping quotes around them', () => {
    const s = compileSqlTemplate(sql, 'postgres').statement(input);
    expect(s.text).toBe('INSERT INTO t (id, topic, temp, a) VALUES ($1, $2, $3, $4)');
    expect(s.values).toEqual(['msg-1', 't/1', 21.5, '{"b":"deep"}']);
  });

  it('binds ? parameters for mysql, missing values as null', () => {
    const s = compileSqlTemplate('UPDATE t SET v = ${payload.nope} WHERE id = ${id}', 'mysql').statement(
      input,
    );
    expect(s.text).toBe('UPDATE t SET v = ? WHERE id = ?');
    expect(s.values).toEqual([null, 'msg-1']);
  });

  it('never puts a value into the text (an injection attempt stays a parameter)', () => {
    const evil = { id: 'x', data: { topic: "'); DROP TABLE t; --" } };
    const s = compileSqlTemplate(sql, 'postgres').statement(evil);
    expect(s.text).not.toContain('DROP');
    expect(s.values[1]).toBe("'); DROP TABLE t; --");
  });

  it('builds one multi-row INSERT for a batch, numbering parameters across rows', () => {
    const t = compileSqlTemplate(
      'INSERT INTO t (id, v) VALUES (${id}, ${payload.v}) ON CONFLICT (id) DO NOTHING',
      'postgres',
    );
    expect(t.batchable).toBe(true);
    const s = t.batchStatement([
      { id: 'a', data: { payload: { v: 1 } } },
      { id: 'b', data: { payload: { v: 2 } } },
      { id: 'c', data: { payload: { v: 3 } } },
    ]);
    expect(s.text).toBe(
      'INSERT INTO t (id, v) VALUES ($1, $2), ($3, $4), ($5, $6) ON CONFLICT (id) DO NOTHING',
    );
    expect(s.values).toEqual(['a', 1, 'b', 2, 'c', 3]);
  });

  it('batches mysql INSERT IGNORE with ? and keeps function calls inside the row', () => {
    const t = compileSqlTemplate(
      'insert ignore into t(id, at) values (${id}, FROM_UNIXTIME(${ts}/1000))',
      'mysql',
    );
    const s = t.batchStatement([
      { id: 'a', data: { ts: 1000 } },
      { id: 'b', data: { ts: 2000 } },
    ]);
    expect(s.text).toBe(
      'insert ignore into t(id, at) values (?, FROM_UNIXTIME(?/1000)), (?, FROM_UNIXTIME(?/1000))',
    );
    expect(s.values).toEqual(['a', 1000, 'b', 2000]);
  });

  it('does not batch when the suffix has placeholders or the statement is not an INSERT', () => {
    expect(
      compileSqlTemplate('INSERT INTO t(id) VALUES (${id}) ON DUPLICATE KEY UPDATE v = ${v}', 'mysql')
        .batchable,
    ).toBe(false);
    expect(compileSqlTemplate('UPDATE t SET v = ${v}', 'postgres').batchable).toBe(false);
    expect(compileSqlTemplate('INSERT INTO t(id) VALUES (${id}), (${v})', 'postgres').batchable).toBe(false);
  });

  it('rejects an INSERT whose VALUES row never closes', () => {
    expect(() => compileSqlTemplate('INSERT INTO t(id) VALUES (${id}', 'postgres')).toThrow(
      TemplateSyntaxError,
    );
  });
});

describe('compileCommandTemplate', () => {
  it('splits words first, so a value with spaces stays one argument', () => {
    const t = compileCommandTemplate('hset ${topic} ${clientid} ${payload.a}');
    expect(t.command).toBe('HSET');
    expect(t.args({ data: { topic: 'a b', clientid: 'c', payload: { a: { x: 1 } } } })).toEqual([
      'a b',
      'c',
      '{"x":1}',
    ]);
  });

  it('rejects an empty command and a placeholder as command name', () => {
    expect(() => compileCommandTemplate('  ')).toThrow(TemplateSyntaxError);
    expect(() => compileCommandTemplate('${cmd} k v')).toThrow(TemplateSyntaxError);
  });
});
