import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api';
import { Empty, ErrorBox, Field, fmt, Loading, useAction, useApp, useQuery, useTenantVars } from '../ui';
import { CONNECTORS, KIND_SCHEMAS, type Connector, type KindSchema } from './connectors';
import { SchemaForm, type Values } from './schema-form';
import { SqlEditor, type RuleFunction, type SqlProblem } from './sql-editor';
import { TRACE, type TraceEvent } from './trace';

export interface Rule {
  id: string;
  name: string;
  description: string;
  sql: string;
  enabled: boolean;
  version: number;
  actions: { id: string; connectorId: string; config: Values; enabled: boolean; position: number }[];
  metrics: { matched: number; passed: number; failed: number };
  warnings: RuleWarning[];
}

/** Why a rule that compiles may never fire or read NULLs (RULE_FROM_UNSUBSCRIBED, ...). */
interface RuleWarning {
  code: string;
  message: string;
}

export const RULES = `query($t: ID) { rules(first: 500, tenantId: $t) { nodes {
  id name description sql enabled version actions { id connectorId config enabled position }
  metrics { matched passed failed } warnings { code message } } } }`;
// why tenantId: the warnings are computed against that tenant's sources (none without a tenant)
const TEST = `query($sql: String!, $context: JSONObject!, $t: ID) { testRule(sql: $sql, context: $context, tenantId: $t) {
  matched outputs error { kind message line column } warnings { code message } } }`;

interface TestResult {
  matched: boolean;
  outputs: Record<string, unknown>[];
  error: { kind: string; message: string; line?: number | null; column?: number | null } | null;
  warnings: RuleWarning[];
}

/** The warnings of a rule or a test, each with its code; nothing when there are none. */
function Warnings({ warnings, label }: { warnings?: RuleWarning[]; label: string }) {
  if (!warnings?.length) return null;
  return (
    <ul class="warnings" role="note" aria-label={label}>
      {warnings.map((w) => (
        <li>
          <span class="badge warning">{w.code}</span> {w.message}
        </li>
      ))}
    </ul>
  );
}

/** A context field as text: strings as they are, anything else as JSON. */
function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
}

export function RulesScreen() {
  const vars = useTenantVars();
  const list = useQuery<{ rules: { nodes: Rule[] } }>(RULES, vars, 5_000);
  const [editing, setEditing] = useState<string>();
  const rules = list.data?.rules.nodes;
  const rule = rules?.find((r) => r.id === editing);
  return (
    <section>
      <p class="muted">EMQX rule SQL: what to take from each message, and which connectors receive it.</p>
      <ErrorBox error={list.error} title="Cannot list rules" />
      <div class="toolbar">
        <button onClick={() => setEditing('new')}>New rule</button>
      </div>
      {editing && (editing === 'new' || rule) && (
        <RuleEditor
          key={editing}
          rule={rule}
          onSaved={(id) => {
            setEditing(id);
            list.reload();
          }}
          onClose={() => setEditing(undefined)}
        />
      )}
      {!rules && list.loading && <Loading what="rules" />}
      {rules?.length === 0 && (
        <Empty>
          No rules yet. A rule selects from messages with SQL and hands each result to its actions.
        </Empty>
      )}
      {rules && rules.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>SQL</th>
              <th>Actions</th>
              <th class="num">Matched</th>
              <th class="num">Passed</th>
              <th class="num">Failed</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => (
              <tr>
                <td>
                  {r.name} {!r.enabled && <span class="badge unknown">disabled</span>}{' '}
                  {r.warnings.length > 0 && (
                    <span class="badge warning" title={r.warnings.map((w) => w.message).join('\n')}>
                      {r.warnings.length === 1 ? '1 warning' : `${r.warnings.length} warnings`}
                    </span>
                  )}
                </td>
                <td class="mono clip">{r.sql}</td>
                <td>{r.actions.length}</td>
                <td class="num">{fmt(r.metrics.matched)}</td>
                <td class="num">{fmt(r.metrics.passed)}</td>
                <td class="num">{fmt(r.metrics.failed)}</td>
                <td>
                  <button class="link" onClick={() => setEditing(r.id)}>
                    Open
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function RuleEditor({
  rule,
  onSaved,
  onClose,
}: {
  rule?: Rule;
  onSaved: (id: string) => void;
  onClose: () => void;
}) {
  const { api } = useApp();
  const vars = useTenantVars();
  const functions = useQuery<{ ruleFunctions: RuleFunction[] }>('{ ruleFunctions { name signature } }', {});
  const [name, setName] = useState(rule?.name ?? '');
  const [sql, setSql] = useState(
    rule?.sql ?? 'SELECT payload.temp AS temp, clientid\nFROM "sensors/#"\nWHERE payload.temp > 20',
  );
  const check = async (text: string): Promise<SqlProblem | undefined> => {
    const { testRule } = await api.query<{ testRule: TestResult }>(TEST, {
      ...vars,
      sql: text,
      context: { topic: '' },
    });
    return testRule.error?.kind === 'runtime' ? undefined : (testRule.error ?? undefined);
  };
  const save = useAction(async () => {
    if (rule) {
      await api.mutate(
        'mutation($input: UpdateRuleInput!, $t: ID) { updateRule(input: $input, tenantId: $t) { id } }',
        {
          ...vars,
          input: { id: rule.id, version: rule.version, name, sql },
        },
      );
      onSaved(rule.id);
    } else {
      const { createRule } = await api.mutate<{ createRule: { id: string } }>(
        'mutation($input: CreateRuleInput!, $t: ID) { createRule(input: $input, tenantId: $t) { id } }',
        { ...vars, input: { name, sql } },
      );
      onSaved(createRule.id);
    }
  });
  return (
    <section class="panel" aria-label={rule ? `Rule ${rule.name}` : 'New rule'}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <h2>{rule ? rule.name : 'New rule'}</h2>
        <Field label="Name">
          <input
            name="name"
            required
            value={name}
            onInput={(e) => setName((e.target as HTMLInputElement).value)}
          />
        </Field>
        <div class="field">
          <span class="label">SQL</span>
          <SqlEditor
            value={sql}
            onChange={setSql}
            functions={functions.data?.ruleFunctions ?? []}
            check={check}
          />
          <small class="hint">
            Ctrl+Space completes functions (with their arguments) and message fields; errors are underlined
            where the parser stopped.
          </small>
        </div>
        <Warnings warnings={rule?.warnings} label="Rule warnings" />
        <ErrorBox error={save.error} title="Not saved" />
        <div class="toolbar">
          <button type="submit" disabled={save.busy}>
            {rule ? 'Save rule' : 'Create rule'}
          </button>
          <button type="button" class="secondary" onClick={onClose}>
            Close
          </button>
        </div>
      </form>
      <RuleTest sql={sql} ruleId={rule?.id} />
      {rule && <RuleActions rule={rule} onChanged={() => onSaved(rule.id)} />}
    </section>
  );
}

function RuleTest({ sql, ruleId }: { sql: string; ruleId?: string }) {
  const { api } = useApp();
  const vars = useTenantVars();
  const [topic, setTopic] = useState('sensors/room1');
  const [payload, setPayload] = useState('{"temp": 25}');
  const [qos, setQos] = useState(1);
  const [props, setProps] = useState('{}');
  const [captured, setCaptured] = useState<TraceEvent[]>([]);
  const [capturing, setCapturing] = useState(false);
  const [traceError, setTraceError] = useState<ApiError>();
  const [source, setSource] = useState<Record<string, unknown>>();
  const test = useAction(
    async (context: Record<string, unknown>) =>
      (await api.query<{ testRule: TestResult }>(TEST, { ...vars, sql, context })).testRule,
  );

  useEffect(() => {
    if (!capturing || !ruleId) return;
    setTraceError(undefined);
    return api.subscribe<{ ruleTrace: TraceEvent }>(
      TRACE,
      { r: ruleId, ...vars },
      ({ ruleTrace }) => setCaptured((c) => [ruleTrace, ...c].slice(0, 10)),
      setTraceError,
    );
  }, [capturing, ruleId]);

  const sample = () => {
    let userProperties: unknown = {};
    try {
      userProperties = JSON.parse(props || '{}');
    } catch {
      userProperties = {};
    }
    return { topic, payload, qos, pub_props: { 'User-Property': userProperties } };
  };
  const use = (event: TraceEvent) => {
    if (!event.context) return;
    setSource(event.context);
    setTopic(text(event.context['topic']));
    setPayload(text(event.context['payload']));
    setQos(Number(event.context['qos'] ?? 0));
    void test.run(event.context);
  };
  const result = test.result;
  return (
    <section class="subpanel" aria-label="Test the rule">
      <h3>Test</h3>
      <div class="row">
        <Field label="Topic">
          <input
            name="testTopic"
            value={topic}
            onInput={(e) => {
              setTopic((e.target as HTMLInputElement).value);
              setSource(undefined);
            }}
          />
        </Field>
        <Field label="QoS">
          <select
            name="testQos"
            value={String(qos)}
            onChange={(e) => setQos(Number((e.target as HTMLSelectElement).value))}
          >
            <option value="0">0</option>
            <option value="1">1</option>
            <option value="2">2</option>
          </select>
        </Field>
      </div>
      <Field label="Payload">
        <textarea
          name="testPayload"
          class="mono"
          rows={3}
          value={payload}
          onInput={(e) => {
            setPayload((e.target as HTMLTextAreaElement).value);
            setSource(undefined);
          }}
        />
      </Field>
      <Field label="User properties" hint='JSON object, e.g. {"site": "a"}'>
        <input
          name="testProps"
          class="mono"
          value={props}
          onInput={(e) => setProps((e.target as HTMLInputElement).value)}
        />
      </Field>
      <div class="toolbar">
        <button type="button" onClick={() => void test.run(source ?? sample())} disabled={test.busy}>
          Run test
        </button>
        {ruleId && (
          <button
            type="button"
            class="secondary"
            onClick={() => setCapturing(!capturing)}
            aria-pressed={capturing}
          >
            {capturing ? 'Stop capturing' : 'Capture live messages'}
          </button>
        )}
        {source && <span class="muted">testing the captured message {text(source['id'])}</span>}
      </div>
      <ErrorBox error={test.error} title="Test failed" />
      <ErrorBox error={traceError} title="Live trace stopped" />
      {result && (
        <div class="test-result" role="status">
          {result.error ? (
            <p class="bad">
              {result.error.kind} error: {result.error.message}
            </p>
          ) : result.matched ? (
            <>
              <p class="good">Matched: {result.outputs.length} output(s)</p>
              <pre class="mono">{result.outputs.map((o) => JSON.stringify(o)).join('\n')}</pre>
            </>
          ) : (
            <p class="muted">No match (the topic is not in FROM, or WHERE was false).</p>
          )}
          <Warnings warnings={result.warnings} label="Test warnings" />
        </div>
      )}
      {capturing && (
        <div class="captured">
          <h4>Captured from the live trace</h4>
          {captured.length === 0 && <Empty>Waiting for messages on this rule's topics…</Empty>}
          <ul>
            {captured.map((e) => (
              <li>
                <span class="mono">{e.topic}</span>{' '}
                <span class="mono clip">{text(e.context?.['payload'])}</span>{' '}
                <button type="button" class="link" onClick={() => use(e)} disabled={!e.context}>
                  Test with this message
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function RuleActions({ rule, onChanged }: { rule: Rule; onChanged: () => void }) {
  const { api } = useApp();
  const vars = useTenantVars();
  const connectors = useQuery<{ connectors: { nodes: Connector[] } }>(CONNECTORS, vars);
  const kinds = useQuery<{ connectorKindSchemas: KindSchema[] }>(KIND_SCHEMAS, {});
  const [connectorId, setConnectorId] = useState('');
  const [config, setConfig] = useState<Values>({});
  const list = connectors.data?.connectors.nodes ?? [];
  const connector = list.find((c) => c.id === connectorId);
  const schema = kinds.data?.connectorKindSchemas.find((k) => k.kind === connector?.kind);
  const add = useAction(async () => {
    await api.mutate(
      'mutation($input: CreateActionInput!, $t: ID) { createAction(input: $input, tenantId: $t) { id } }',
      {
        ...vars,
        input: { ruleId: rule.id, connectorId, config },
      },
    );
    setConfig({});
    setConnectorId('');
    onChanged();
  });
  const remove = useAction(async (id: string) => {
    await api.mutate('mutation($id: ID!, $t: ID) { deleteAction(id: $id, tenantId: $t) }', { ...vars, id });
    onChanged();
  });
  const name = (id: string) => list.find((c) => c.id === id)?.name ?? id;
  const [check, setCheck] = useState<{ valid: boolean; field: string | null; message: string | null }>();
  // the connector's kind checks the templates and options as you type (checkAction saves nothing)
  useEffect(() => {
    setCheck(undefined);
    if (!connectorId) return;
    const timer = setTimeout(() => {
      api
        .query<{ checkAction: NonNullable<typeof check> }>(
          'query($c: ID!, $config: JSONObject!, $t: ID) { checkAction(connectorId: $c, config: $config, tenantId: $t) { valid field message } }',
          { ...vars, c: connectorId, config },
        )
        .then(({ checkAction }) => setCheck(checkAction))
        .catch(() => setCheck(undefined));
    }, 300);
    return () => clearTimeout(timer);
  }, [connectorId, JSON.stringify(config)]);
  return (
    <section class="subpanel" aria-label="Actions">
      <h3>Actions</h3>
      {rule.actions.length === 0 && (
        <Empty>No actions: the rule's outputs go nowhere yet. Add one from a connector.</Empty>
      )}
      <ul>
        {rule.actions.map((a) => (
          <li>
            → <strong>{name(a.connectorId)}</strong> <span class="mono clip">{JSON.stringify(a.config)}</span>{' '}
            <button type="button" class="link" onClick={() => void remove.run(a.id)}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <ErrorBox error={remove.error} title="Not removed" />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void add.run();
        }}
      >
        <Field label="Add an action to connector">
          <select
            name="actionConnector"
            value={connectorId}
            onChange={(e) => {
              setConnectorId((e.target as HTMLSelectElement).value);
              setConfig({});
            }}
          >
            <option value="">choose…</option>
            {list.map((c) => (
              <option value={c.id}>
                {c.name} ({c.kind})
              </option>
            ))}
          </select>
        </Field>
        {list.length === 0 && !connectors.loading && (
          <p class="muted">No connectors yet: create one under Connectors.</p>
        )}
        {schema && (
          <SchemaForm
            schema={schema.action}
            value={config}
            onChange={setConfig}
            secrets={[]}
            prefix="action"
          />
        )}
        {check && (
          <p class={check.valid ? 'good' : 'bad'} role="status" aria-label="Action check">
            {check.valid
              ? 'The connector accepts this action.'
              : `${check.field ?? 'config'}: ${check.message ?? ''}`}
          </p>
        )}
        <ErrorBox error={add.error} title="Action refused" />
        {connector && (
          <button type="submit" disabled={add.busy}>
            Add action
          </button>
        )}
      </form>
    </section>
  );
}
