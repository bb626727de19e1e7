import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { parseJson, stringifyJson } from '../numbers/json-numbers';
import { runRuleTestCli } from './rule-test-cli';

// libs/rule-engine/test/emqx-rule-cases.jsonl: `sluice rule test` input lines with the answer EMQX
// gives, each naming where in emqx/emqx it comes from (function cases carry the expected value of
// an assertion in apps/emqx_rule_engine/test/emqx_rule_funcs_SUITE.erl; the others were written
// from emqx_rule_runtime.erl, emqx_rule_maps.erl, emqx_rule_funcs.erl, emqx_rule_events.erl,
// emqx_rule_sqltester.erl and the rulesql grammar). An expected error is compared by kind only.

interface Case {
  sql: string;
  context: Record<string, unknown>;
  expect: { matched: boolean; outputs: unknown[] } | { error: 'syntax' | 'compile' | 'runtime' };
  source: string;
}

const file = join(__dirname, '..', '..', 'test', 'emqx-rule-cases.jsonl');
const text = readFileSync(file, 'utf8');
const cases: Case[] = text
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => parseJson(line) as Case);

describe('EMQX rule cases through sluice rule test', () => {
  it('has at least 300 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(300);
  });

  it('gives EMQX’s answer for every case', async () => {
    const output = new PassThrough();
    const chunks: Buffer[] = [];
    output.on('data', (chunk: Buffer) => chunks.push(chunk));
    const code = await runRuleTestCli({}, Readable.from([text]), output);
    const results = Buffer.concat(chunks)
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => parseJson(line) as Record<string, unknown>);
    expect(results).toHaveLength(cases.length);
    const differences = cases.flatMap((c, i) => {
      const got = results[i] as { error?: { kind: string } };
      const same =
        'error' in c.expect
          ? got.error?.kind === c.expect.error
          : stringifyJson(got) === stringifyJson(c.expect);
      return same
        ? []
        : [`${c.source}: ${c.sql}\n  expected ${stringifyJson(c.expect)}\n  got      ${stringifyJson(got)}`];
    });
    expect(differences).toEqual([]);
    // some cases expect errors, so the CLI reports a rule failure
    expect(code).toBe(1);
  });
});
