import { useState } from 'preact/hooks';
import {
  Empty,
  ErrorBox,
  Field,
  Loading,
  StatusBadges,
  useAction,
  useApp,
  useQuery,
  useTenantVars,
} from '../ui';
import { SchemaForm, type JsonSchema, type Values } from './schema-form';

export interface Connector {
  id: string;
  name: string;
  kind: string;
  enabled: boolean;
  version: number;
  config: Values;
  secretsSet: string[];
  status: { node: string; state: string; reason?: string | null; at: string }[];
}

export interface KindSchema {
  kind: string;
  config: JsonSchema;
  action: JsonSchema;
  secrets: string[];
}

export const KIND_SCHEMAS = '{ connectorKindSchemas { kind config action secrets } }';
export const CONNECTORS = `query($t: ID) { connectors(first: 500, tenantId: $t) { nodes {
  id name kind enabled version config secretsSet status { node state reason at } } } }`;

export function ConnectorsScreen() {
  const vars = useTenantVars();
  const list = useQuery<{ connectors: { nodes: Connector[] } }>(CONNECTORS, vars, 3_000);
  const kinds = useQuery<{ connectorKindSchemas: KindSchema[] }>(KIND_SCHEMAS, {});
  const [editing, setEditing] = useState<Connector | 'new'>();
  const connectors = list.data?.connectors.nodes;
  const schemas = kinds.data?.connectorKindSchemas;
  return (
    <section>
      <p class="muted">
        Targets that rule actions deliver to. Forms come from each kind's configuration schema; secrets are
        write-only.
      </p>
      <ErrorBox error={list.error ?? kinds.error} title="Cannot list connectors" />
      <div class="toolbar">
        <button onClick={() => setEditing('new')} disabled={!schemas}>
          New connector
        </button>
      </div>
      {editing && schemas && (
        <ConnectorForm
          schemas={schemas}
          connector={editing === 'new' ? undefined : editing}
          onDone={() => {
            setEditing(undefined);
            list.reload();
          }}
        />
      )}
      {!connectors && list.loading && <Loading what="connectors" />}
      {connectors?.length === 0 && (
        <Empty>
          No connectors yet. A connector is a target (HTTP, PostgreSQL, Kafka, MQTT, …) that rules deliver to.
        </Empty>
      )}
      {connectors && connectors.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>Secrets set</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {connectors.map((c) => (
              <tr>
                <td>
                  {c.name} {!c.enabled && <span class="badge unknown">disabled</span>}
                </td>
                <td>{c.kind}</td>
                <td>{c.secretsSet.join(', ') || <span class="muted">none</span>}</td>
                <td>
                  <StatusBadges status={c.status} />
                </td>
                <td>
                  <button class="link" onClick={() => setEditing(c)}>
                    Edit
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

function ConnectorForm({
  schemas,
  connector,
  onDone,
}: {
  schemas: KindSchema[];
  connector?: Connector;
  onDone: () => void;
}) {
  const { api } = useApp();
  const vars = useTenantVars();
  const [kind, setKind] = useState(connector?.kind ?? schemas[0]?.kind ?? 'http');
  const [name, setName] = useState(connector?.name ?? '');
  const [config, setConfig] = useState<Values>(connector?.config ?? {});
  const schema = schemas.find((s) => s.kind === kind);
  const test = useAction(() =>
    api.query<{ testConnector: { state: string; reason?: string | null } }>(
      'query($kind: String, $config: JSONObject, $t: ID) { testConnector(kind: $kind, config: $config, tenantId: $t) { state reason } }',
      { ...vars, kind, config },
    ),
  );
  const save = useAction(async () => {
    if (connector) {
      await api.mutate(
        'mutation($input: UpdateConnectorInput!, $t: ID) { updateConnector(input: $input, tenantId: $t) { id } }',
        { ...vars, input: { id: connector.id, version: connector.version, name, config } },
      );
    } else {
      await api.mutate(
        'mutation($input: CreateConnectorInput!, $t: ID) { createConnector(input: $input, tenantId: $t) { id } }',
        { ...vars, input: { name, kind, config } },
      );
    }
    onDone();
  });
  const answer = test.result?.testConnector;
  return (
    <form
      class="panel"
      aria-label={connector ? `Edit connector ${connector.name}` : 'New connector'}
      onSubmit={(e) => {
        e.preventDefault();
        void save.run();
      }}
    >
      <h2>{connector ? `Edit ${connector.name}` : 'New connector'}</h2>
      <div class="row">
        <Field label="Name">
          <input
            name="name"
            required
            value={name}
            onInput={(e) => setName((e.target as HTMLInputElement).value)}
          />
        </Field>
        <Field label="Kind">
          <select
            name="kind"
            value={kind}
            disabled={!!connector}
            onChange={(e) => {
              setKind((e.target as HTMLSelectElement).value);
              setConfig({});
              test.clear();
            }}
          >
            {schemas.map((s) => (
              <option value={s.kind}>{s.kind}</option>
            ))}
          </select>
        </Field>
      </div>
      {schema && (
        <SchemaForm
          schema={schema.config}
          value={config}
          onChange={setConfig}
          secrets={schema.secrets}
          secretsSet={connector?.secretsSet}
        />
      )}
      <ErrorBox error={test.error} title="Test failed" />
      {answer && (
        <p class={`test-answer ${answer.state}`} role="status">
          Test connection: <strong>{answer.state}</strong>
          {answer.reason ? ` — ${answer.reason}` : ''}
        </p>
      )}
      <ErrorBox error={save.error} title="Not saved" />
      <div class="toolbar">
        <button type="submit" disabled={save.busy}>
          {connector ? 'Save' : 'Create connector'}
        </button>
        <button type="button" class="secondary" disabled={test.busy} onClick={() => void test.run()}>
          {test.busy ? 'Testing…' : 'Test connection'}
        </button>
        <button type="button" class="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
