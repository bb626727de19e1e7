// The docs' examples as steps a test runs: the conventions are in docs/doc-examples.md.

/** A fenced code block of a Markdown page. */
export interface DocBlock {
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's first word (`graphql`, `sh`, `json`, ...). */
  lang: string;
  /** The rest of the info string: `variables`, `answer`, `key=NAME`. */
  tags: string[];
  body: string;
}

/** A runnable example with the `json variables` and `json answer` blocks that follow it. */
export interface DocStep {
  kind: 'graphql' | 'shell';
  block: DocBlock;
  variables?: DocBlock;
  answer?: DocBlock;
}

const shells = new Set(['sh', 'bash', 'shell']);

/**
 * Every fenced block of a Markdown text (``` or ~~~, indented inside a list or not).
 *
 * @example extractBlocks('```sh\necho hi\n```') // [{ line: 1, lang: 'sh', tags: [], body: 'echo hi' }]
 */
export function extractBlocks(markdown: string): DocBlock[] {
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent = '', fence = '', info = ''] = open;
    const close = new RegExp(`^ *${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !close.test(lines[j]!); j++) {
      const text = lines[j]!;
      body.push(text.startsWith(indent) ? text.slice(indent.length) : text.trimStart());
    }
    const [lang = '', ...tags] = info.trim().split(/\s+/).filter(Boolean);
    blocks.push({ line: i + 1, lang, tags, body: body.join('\n') });
    i = j;
  }
  return blocks;
}

/**
 * The page's runnable examples in order: each `graphql` and `sh`/`bash`/`shell` block, with the
 * `json variables` and `json answer` blocks after it. A `variables` or `answer` block with no example
 * before it, or a second one, is an error (a convention broken is a doc bug).
 */
export function docSteps(blocks: DocBlock[]): DocStep[] {
  const steps: DocStep[] = [];
  for (const block of blocks) {
    const role = block.tags.find((tag) => tag === 'variables' || tag === 'answer');
    if (block.lang === 'graphql') steps.push({ kind: 'graphql', block });
    else if (shells.has(block.lang)) steps.push({ kind: 'shell', block });
    else if (role) {
      const step = steps.at(-1);
      if (!step || step[role])
        throw new Error(`line ${block.line}: a "${role}" block must follow its example`);
      if (role === 'variables' && step.kind !== 'graphql')
        throw new Error(`line ${block.line}: "variables" follow a graphql block only`);
      step[role] = block;
    }
  }
  return steps;
}

/** The value of a tag `name=value` in a block's info string. */
export function tagValue(block: DocBlock, name: string): string | undefined {
  return block.tags.find((tag) => tag.startsWith(`${name}=`))?.slice(name.length + 1);
}

const placeholder = /^<([^<>]+)>$/;
const capturable = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Checks `actual` against a documented answer and records the values the doc names. Objects match
 * when every key shown matches (keys left out are not checked); arrays element by element, with a
 * last element `"…"` allowing more; `"<NAME>"` matches any value and captures it as NAME (or must
 * equal NAME's earlier value); `"…"` and `"<any text>"` match any value; everything else is equal.
 * Returns the mismatches as `path: why`.
 */
export function matchAnswer(
  expected: unknown,
  actual: unknown,
  captures: Map<string, unknown>,
  path = '',
): string[] {
  if (typeof expected === 'string') {
    if (expected === '…') return [];
    const name = placeholder.exec(expected)?.[1];
    if (name !== undefined) {
      if (actual === null || actual === undefined)
        return [`${path || '.'}: ${expected} expected, got ${actual}`];
      if (!capturable.test(name)) return [];
      if (!captures.has(name)) captures.set(name, actual);
      else if (JSON.stringify(captures.get(name)) !== JSON.stringify(actual))
        return [
          `${path || '.'}: ${expected} was ${JSON.stringify(captures.get(name))}, got ${JSON.stringify(actual)}`,
        ];
      return [];
    }
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path || '.'}: an array expected, got ${JSON.stringify(actual)}`];
    const open = expected.at(-1) === '…';
    const shown = open ? expected.slice(0, -1) : expected;
    if (open ? actual.length < shown.length : actual.length !== shown.length)
      return [
        `${path || '.'}: ${shown.length}${open ? ' or more' : ''} items expected, got ${actual.length}`,
      ];
    return shown.flatMap((item, i) => matchAnswer(item, actual[i], captures, `${path}[${i}]`));
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
      return [`${path || '.'}: an object expected, got ${JSON.stringify(actual)}`];
    return Object.entries(expected).flatMap(([key, value]) =>
      key in actual
        ? matchAnswer(value, (actual as Record<string, unknown>)[key], captures, `${path}.${key}`)
        : [`${path}.${key}: missing`],
    );
  }
  return expected === actual
    ? []
    : [`${path || '.'}: ${JSON.stringify(expected)} expected, got ${JSON.stringify(actual)}`];
}

/** Replaces each `"<NAME>"` (a JSON or GraphQL string) whose NAME was captured by its value. */
export function substitute(text: string, captures: Map<string, unknown>): string {
  return text.replace(/"<([A-Za-z_][A-Za-z0-9_]*)>"/g, (whole, name: string) =>
    captures.has(name) ? JSON.stringify(captures.get(name)) : whole,
  );
}
