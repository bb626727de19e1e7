import { PassThrough, Readable } from 'node:stream';
import { runRuleTestCli } from '../index';

async function run(
  options: Parameters<typeof runRuleTestCli>[0],
  stdin = '',
): Promise<{ code: number; lines: unknown[] }> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  const code = await runRuleTestCli(options, Readable.from([stdin]), output);
  const text = Buffer.concat(chunks).toString('utf8');
  return {
    code,
    lines: text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as unknown),
  };
}

describe('runRuleTestCli', () => {
  it('prints one result for --sql and --context', async () => {
    const result = await run({
      sql: 'SELECT payload.x AS x FROM "t"',
      context: '{"topic":"t","payload":"{\\"x\\":1}"}',
    });
    expect(result).toEqual({ code: 0, lines: [{ matched: true, outputs: [{ x: 1 }] }] });
  });

  it('adds the warnings the caller gives for the SQL, on every line, without changing the exit code', async () => {
    const warningsOf = (sql: string) => [{ code: 'W', message: `about ${sql.length}` }];
    const stdin = `${JSON.stringify({ sql: 'SELECT 1 AS one FROM "t"', context: { topic: 't' } })}\n`;
    expect(await run({ warningsOf }, stdin)).toEqual({
      code: 0,
      lines: [{ matched: true, outputs: [{ one: 1 }], warnings: [{ code: 'W', message: 'about 24' }] }],
    });
  });

  it('passes a context on even when it has an "error" field', async () => {
    const context = JSON.stringify({ topic: 't', error: { kind: 'input' } });
    expect(await run({ sql: 'SELECT error.kind AS k FROM "t"', context })).toEqual({
      code: 0,
      lines: [{ matched: true, outputs: [{ k: 'input' }] }],
    });
  });

  it('exits 1 when the rule fails', async () => {
    const result = await run({ sql: 'SELECT * FORM "t"', context: '{}' });
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([
      {
        error: {
          kind: 'syntax',
          message: "unexpected 'FORM', expected FROM at line 1, column 10",
          line: 1,
          column: 10,
        },
      },
    ]);
  });

  it('exits 2 for a context that is not JSON, or --context without --sql', async () => {
    expect(await run({ sql: 'SELECT * FROM "t"', context: '{nope' })).toEqual({
      code: 2,
      lines: [{ error: { kind: 'input', message: '--context is not valid JSON' } }],
    });
    expect((await run({ context: '{}' })).code).toBe(2);
  });

  it('reads JSON lines and writes one JSON line per input line', async () => {
    const stdin = [
      JSON.stringify({
        sql: 'SELECT payload.a AS a FROM "t/#"',
        context: { topic: 't/1', payload: '{"a":5}' },
      }),
      '',
      JSON.stringify({ sql: 'SELECT * FROM "t/#" WHERE qos = 1', context: { topic: 't/1', qos: 0 } }),
      JSON.stringify({ sql: 'SELECT x FROM "t" WHERE', context: {} }),
      JSON.stringify({
        sql: 'SELECT payload.a / 0 AS a FROM "t"',
        context: { topic: 't', payload: '{"a":1}' },
      }),
    ].join('\n');
    const result = await run({}, `${stdin}\n`);
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([
      { matched: true, outputs: [{ a: 5 }] },
      { matched: false, outputs: [] },
      {
        error: {
          kind: 'syntax',
          message: 'unexpected end of input, expected an expression at line 1, column 24',
          line: 1,
          column: 24,
        },
      },
      { error: { kind: 'runtime', message: 'SELECT: division by zero', clause: 'SELECT' } },
    ]);
  });

  it('answers a malformed line with an input error and goes on', async () => {
    const stdin = `not json\n{"context":{}}\n${JSON.stringify({ sql: 'SELECT 1 AS one FROM "t"' })}\n`;
    const result = await run({}, stdin);
    expect(result.code).toBe(2);
    expect(result.lines).toEqual([
      { error: { kind: 'input', message: 'not a JSON line: not json' } },
      { error: { kind: 'input', message: 'expected {"sql": "...", "context": {...}}' } },
      { matched: true, outputs: [{ one: 1 }] },
    ]);
  });
});
