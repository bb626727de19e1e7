import { docSteps, extractBlocks, matchAnswer, substitute, tagValue } from './doc-examples';

describe('extractBlocks', () => {
  it('finds fenced blocks with their line, language and tags, also indented in a list', () => {
    const page = [
      '# t',
      '```graphql key=KEY',
      '{ tenant { id } }',
      '```',
      '- a step:',
      '  ```sh',
      '  echo "$SLUICE_URL"',
      '    indented',
      '  ```',
      '````md',
      '```sh',
      'not a block of its own',
      '```',
      '````',
    ].join('\n');
    expect(extractBlocks(page)).toEqual([
      { line: 2, lang: 'graphql', tags: ['key=KEY'], body: '{ tenant { id } }' },
      { line: 6, lang: 'sh', tags: [], body: 'echo "$SLUICE_URL"\n  indented' },
      { line: 10, lang: 'md', tags: [], body: '```sh\nnot a block of its own\n```' },
    ]);
  });

  it('takes an unclosed block to the end of the page', () => {
    expect(extractBlocks('```sh\nls')).toEqual([{ line: 1, lang: 'sh', tags: [], body: 'ls' }]);
  });
});

describe('docSteps', () => {
  const blocks = (...specs: [string, string[]][]) =>
    specs.map(([lang, tags], i) => ({ line: i + 1, lang, tags, body: String(i) }));

  it('attaches variables and answer blocks to the example before them and leaves other code out', () => {
    const steps = docSteps(
      blocks(
        ['ts', []],
        ['graphql', []],
        ['json', ['variables']],
        ['json', ['answer']],
        ['bash', []],
        ['json', []],
      ),
    );
    expect(steps.map((s) => [s.kind, s.block.line, s.variables?.line, s.answer?.line])).toEqual([
      ['graphql', 2, 3, 4],
      ['shell', 5, undefined, undefined],
    ]);
  });

  it('refuses an answer with no example before it, a second answer, and variables after a shell block', () => {
    expect(() => docSteps(blocks(['json', ['answer']]))).toThrow('line 1: a "answer" block must follow');
    expect(() => docSteps(blocks(['sh', []], ['json', ['answer']], ['json', ['answer']]))).toThrow('line 3');
    expect(() => docSteps(blocks(['sh', []], ['json', ['variables']]))).toThrow(
      'follow a graphql block only',
    );
  });

  it('reads a tag value', () => {
    expect(tagValue({ line: 1, lang: 'graphql', tags: ['key=KEY'], body: '' }, 'key')).toBe('KEY');
    expect(tagValue({ line: 1, lang: 'graphql', tags: [], body: '' }, 'key')).toBeUndefined();
  });
});

describe('matchAnswer', () => {
  it('matches the keys shown, ignores keys left out, and names each mismatch by path', () => {
    const captures = new Map<string, unknown>();
    expect(matchAnswer({ a: { b: 1 } }, { a: { b: 1, c: 2 }, d: 3 }, captures)).toEqual([]);
    expect(matchAnswer({ a: { b: 1, e: 'x' } }, { a: { b: 2 } }, captures)).toEqual([
      '.a.b: 1 expected, got 2',
      '.a.e: missing',
    ]);
    expect(matchAnswer({ a: 1 }, [1], captures)).toEqual(['.: an object expected, got [1]']);
    expect(matchAnswer(null, 0, captures)).toEqual(['.: null expected, got 0']);
  });

  it('compares arrays item by item, with a last "…" allowing more', () => {
    const captures = new Map<string, unknown>();
    expect(matchAnswer([1, 2], [1, 2], captures)).toEqual([]);
    expect(matchAnswer([1, 2], [1, 2, 3], captures)).toEqual(['.: 2 items expected, got 3']);
    expect(matchAnswer([1, '…'], [1, 2, 3], captures)).toEqual([]);
    expect(matchAnswer([1, 2, '…'], [1], captures)).toEqual(['.: 2 or more items expected, got 1']);
    expect(matchAnswer([{ x: 1 }], [{ x: 2 }], captures)).toEqual(['[0].x: 1 expected, got 2']);
    expect(matchAnswer([1], 'x', captures)).toEqual(['.: an array expected, got "x"']);
  });

  it('captures "<name>" once, then holds later ones to the same value; other placeholders match anything', () => {
    const captures = new Map<string, unknown>();
    expect(
      matchAnswer(
        { id: '<rule>', why: '<any reason>', more: '…' },
        { id: 'r1', why: 'x', more: 7 },
        captures,
      ),
    ).toEqual([]);
    expect([...captures]).toEqual([['rule', 'r1']]);
    expect(matchAnswer({ id: '<rule>' }, { id: 'r1' }, captures)).toEqual([]);
    expect(matchAnswer({ id: '<rule>' }, { id: 'r2' }, captures)).toEqual(['.id: <rule> was "r1", got "r2"']);
    expect(matchAnswer({ id: '<other>' }, { id: null }, captures)).toEqual([
      '.id: <other> expected, got null',
    ]);
    expect(captures.has('other')).toBe(false);
  });
});

describe('substitute', () => {
  it('replaces "<name>" strings of kept values as JSON and leaves the others', () => {
    const captures = new Map<string, unknown>([
      ['connector', 'c"1'],
      ['n', 3],
    ]);
    expect(substitute('{ "c": "<connector>", "n": "<n>", "x": "<x>", "y": "a <connector>" }', captures)).toBe(
      '{ "c": "c\\"1", "n": 3, "x": "<x>", "y": "a <connector>" }',
    );
  });
});
