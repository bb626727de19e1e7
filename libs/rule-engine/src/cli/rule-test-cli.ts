import { createInterface } from 'node:readline';
import { parseJson, stringifyJson } from '../numbers/json-numbers';
import { testRule, type TestRuleResult } from '../test-rule';

/** Input the CLI could not read: a line that is not JSON, or flags that do not go together. */
type InputError = { readonly error: { readonly kind: 'input'; readonly message: string } };

/** What the caller warns about for a rule's SQL (against the sources of a pipeline file, say). */
export type RuleWarningsOf = (sql: string) => readonly { code: string; message: string }[];

type CliResult = TestRuleResult & { readonly warnings?: ReturnType<RuleWarningsOf> };

const OK = 0;
const RULE_ERROR = 1;
const BAD_INPUT = 2;

/**
 * `sluice rule test`. With `sql` and `context` (a JSON object) it prints one JSON result; with
 * neither it reads JSON lines `{"sql": ..., "context": {...}}` from `input` and writes one JSON line
 * per input line. With `warningsOf`, each result also carries `warnings` (the rule still matched or
 * not; warnings do not change the exit code). Resolves to the exit code: 0 when every result is a
 * match or no match, 1 when some rule failed (syntax, compile or runtime error), 2 when some input
 * could not be read.
 *
 * @example
 * await runRuleTestCli({ sql: 'SELECT * FROM "t"', context: '{"topic":"t","payload":"{}"}' }, process.stdin, process.stdout);
 */
export async function runRuleTestCli(
  options: { sql?: string; context?: string; warningsOf?: RuleWarningsOf },
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Promise<number> {
  const run = (sql: string, context: Record<string, unknown>): CliResult => {
    const result = testRule(sql, context);
    return options.warningsOf ? { ...result, warnings: options.warningsOf(sql) } : result;
  };
  if (options.sql !== undefined || options.context !== undefined) {
    if (options.sql === undefined) return write(output, inputError('--context needs --sql'));
    const sql = options.sql;
    const context = parseContext(options.context ?? '{}');
    return write(output, 'context' in context ? run(sql, context.context) : context);
  }
  let code = OK;
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    code = Math.max(code, await write(output, runLine(line, run)));
  }
  return code;
}

function runLine(
  line: string,
  run: (sql: string, context: Record<string, unknown>) => CliResult,
): CliResult | InputError {
  let parsed: unknown;
  try {
    parsed = parseJson(line);
  } catch {
    return inputError(`not a JSON line: ${line.slice(0, 80)}`);
  }
  if (!isObject(parsed) || typeof parsed.sql !== 'string')
    return inputError('expected {"sql": "...", "context": {...}}');
  const context = parsed.context ?? {};
  if (!isObject(context)) return inputError('"context" must be a JSON object');
  return run(parsed.sql, context);
}

function parseContext(text: string): { context: Record<string, unknown> } | InputError {
  try {
    const context: unknown = parseJson(text);
    return isObject(context) ? { context } : inputError('--context must be a JSON object');
  } catch {
    return inputError('--context is not valid JSON');
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function inputError(message: string): InputError {
  return { error: { kind: 'input', message } };
}

async function write(output: NodeJS.WritableStream, result: CliResult | InputError): Promise<number> {
  const line = `${stringifyJson(result)}\n`;
  if (!output.write(line)) await new Promise<void>((resolve) => output.once('drain', () => resolve()));
  if (!('error' in result)) return OK;
  return result.error.kind === 'input' ? BAD_INPUT : RULE_ERROR;
}
