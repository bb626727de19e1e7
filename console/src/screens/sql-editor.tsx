import { autocompletion, type Completion, type CompletionContext } from '@codemirror/autocomplete';
import { sql, StandardSQL } from '@codemirror/lang-sql';
import { linter, type Diagnostic } from '@codemirror/lint';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'preact/hooks';

export interface RuleFunction {
  name: string;
  signature: string;
}

export interface SqlProblem {
  message: string;
  line?: number | null;
  column?: number | null;
}

interface Props {
  value: string;
  onChange: (sql: string) => void;
  functions: RuleFunction[];
  /** Asks the parser; resolves to the problem, or undefined when the SQL compiles. */
  check: (sql: string) => Promise<SqlProblem | undefined>;
}

const KEYWORDS = [
  'SELECT',
  'FROM',
  'WHERE',
  'FOREACH',
  'DO',
  'INCASE',
  'AS',
  'AND',
  'OR',
  'NOT',
  'CASE',
  'WHEN',
  'THEN',
  'ELSE',
  'END',
];
const FIELDS = [
  'payload',
  'topic',
  'qos',
  'clientid',
  'username',
  'peerhost',
  'timestamp',
  'id',
  'flags',
  'pub_props',
  'node',
  'retain',
];

/** Where the parser's 1-based line and column fall, underlined to the end of the word there. */
export function problemRange(doc: string, line: number, column: number): { from: number; to: number } {
  const lines = doc.split('\n');
  let from = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length - 1); i++) from += lines[i]!.length + 1;
  from = Math.min(from + column - 1, doc.length);
  const word = /^[\w."'$]+/.exec(doc.slice(from));
  return { from, to: Math.min(doc.length, from + Math.max(1, word?.[0].length ?? 1)) };
}

/**
 * The rule SQL editor: CodeMirror 6 with SQL highlighting, completion of the rule engine's
 * functions (with their signatures) and of EMQX's message fields, and the parser's error underlined
 * where it points.
 */
export function SqlEditor({ value, onChange, functions, check }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const latest = useRef({ onChange, functions, check });
  latest.current = { onChange, functions, check };

  useEffect(() => {
    const complete = (ctx: CompletionContext) => {
      const word = ctx.matchBefore(/[\w.]+/);
      if (!word || (word.from === word.to && !ctx.explicit)) return null;
      const options: Completion[] = [
        ...latest.current.functions.map((f) => ({
          label: f.name,
          type: 'function',
          detail: f.signature,
          apply: `${f.name}(`,
        })),
        ...KEYWORDS.map((k) => ({ label: k, type: 'keyword' })),
        ...FIELDS.map((f) => ({ label: f, type: 'variable' })),
      ];
      return { from: word.from, options, validFor: /^\w*$/ };
    };
    const lint = linter(
      async (v): Promise<Diagnostic[]> => {
        const doc = v.state.doc.toString();
        const problem = await latest.current.check(doc).catch(() => undefined);
        if (!problem) return [];
        const range =
          problem.line && problem.column
            ? problemRange(doc, problem.line, problem.column)
            : { from: 0, to: doc.length };
        return [{ ...range, severity: 'error', message: problem.message }];
      },
      { delay: 300 },
    );
    view.current = new EditorView({
      parent: host.current!,
      doc: value,
      extensions: [
        basicSetup,
        sql({ dialect: StandardSQL, upperCaseKeywords: true }),
        autocompletion({ override: [complete] }),
        lint,
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': 'Rule SQL' }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) latest.current.onChange(u.state.doc.toString());
        }),
      ],
    });
    return () => view.current?.destroy();
    // why no deps: the editor is made once; later values come from its own edits
  }, []);

  return <div class="sql-editor" ref={host} />;
}
