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

interface Source {
  id: string;
  name: string;
  kind: string;
  enabled: boolean;
  version: number;
  config: { url?: string; topics?: { filter: string; qos?: number }[]; username?: string };
  secretsSet: string[];
  status: { node: string; state: string; reason?: string | null; at: string }[];
}

const LIST = `query($t: ID) { sources(first: 500, tenantId: $t) { nodes {
  id name kind enabled version config secretsSet status { node state reason at } } } }`;

export function SourcesScreen() {
  const vars = useTenantVars();
  const list = useQuery<{ sources: { nodes: Source[] } }>(LIST, vars, 3_000);
  const [editing, setEditing] = useState<Source | 'new'>();
  const sources = list.data?.sources.nodes;
  return (
    <section>
      <p class="muted">
        Where messages come from: MQTT subscriptions. State is live, as each ingest replica announces it.
      </p>
      <ErrorBox error={list.error} title="Cannot list sources" />
      <div class="toolbar">
        <button onClick={() => setEditing('new')}>New MQTT source</button>
      </div>
      {editing && (
        <SourceForm
          source={editing === 'new' ? undefined : editing}
          onDone={() => {
            setEditing(undefined);
            list.reload();
          }}
        />
      )}
      {!sources && list.loading && <Loading what="sources" />}
      {sources?.length === 0 && (
        <Empty>
          No sources yet. A source subscribes to topics on an MQTT broker; create one to start ingesting.
        </Empty>
      )}
      {sources && sources.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Broker</th>
              <th>Topics</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {sources.map((s) => (
              <tr>
                <td>
                  {s.name} {!s.enabled && <span class="badge unknown">disabled</span>}
                </td>
                <td>{s.config.url ?? <span class="muted">the operator's broker</span>}</td>
                <td>{(s.config.topics ?? []).map((t) => `${t.filter} (QoS ${t.qos ?? 0})`).join(', ')}</td>
                <td>
                  <StatusBadges status={s.status} />
                </td>
                <td>
                  <button class="link" onClick={() => setEditing(s)}>
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

function parseTopics(text: string): { filter: string; qos: number }[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [filter = '', qos = '1'] = line.split(/\s+/);
      return { filter, qos: Number(qos) };
    });
}

function SourceForm({ source, onDone }: { source?: Source; onDone: () => void }) {
  const { api } = useApp();
  const vars = useTenantVars();
  const [name, setName] = useState(source?.name ?? '');
  const [url, setUrl] = useState(source?.config.url ?? '');
  const [topics, setTopics] = useState(
    (source?.config.topics ?? []).map((t) => `${t.filter} ${t.qos ?? 0}`).join('\n') || '',
  );
  const [username, setUsername] = useState(source?.config.username ?? '');
  const [password, setPassword] = useState('');
  const save = useAction(async () => {
    const config: Record<string, unknown> = { ...(source?.config ?? {}), topics: parseTopics(topics) };
    if (url.trim()) config.url = url.trim();
    else delete config.url;
    if (username.trim()) config.username = username.trim();
    else delete config.username;
    if (password) config.password = password;
    if (source) {
      await api.mutate(
        'mutation($input: UpdateSourceInput!, $t: ID) { updateSource(input: $input, tenantId: $t) { id } }',
        { ...vars, input: { id: source.id, version: source.version, name, config } },
      );
    } else {
      await api.mutate(
        'mutation($input: CreateSourceInput!, $t: ID) { createSource(input: $input, tenantId: $t) { id } }',
        { ...vars, input: { name, kind: 'mqtt', config } },
      );
    }
    onDone();
  });
  return (
    <form
      class="panel"
      aria-label={source ? `Edit source ${source.name}` : 'New MQTT source'}
      onSubmit={(e) => {
        e.preventDefault();
        void save.run();
      }}
    >
      <h2>{source ? `Edit ${source.name}` : 'New MQTT source'}</h2>
      <Field label="Name">
        <input
          name="name"
          required
          value={name}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
        />
      </Field>
      <Field label="Broker URL" hint="mqtt://host:1883; leave empty for the operator's broker.">
        <input name="url" value={url} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />
      </Field>
      <Field label="Topics" hint="One per line: topic filter, then QoS (0, 1 or 2).">
        <textarea
          name="topics"
          rows={3}
          required
          value={topics}
          onInput={(e) => setTopics((e.target as HTMLTextAreaElement).value)}
        />
      </Field>
      <Field label="Username">
        <input
          name="username"
          value={username}
          onInput={(e) => setUsername((e.target as HTMLInputElement).value)}
        />
      </Field>
      <Field
        label="Password"
        hint={
          source?.secretsSet.includes('password')
            ? 'Set. Leave empty to keep it; it is never shown.'
            : 'Write-only: never shown again.'
        }
      >
        <input
          name="password"
          type="password"
          autoComplete="new-password"
          value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
        />
      </Field>
      <ErrorBox error={save.error} title="Not saved" />
      <div class="toolbar">
        <button type="submit" disabled={save.busy}>
          {source ? 'Save' : 'Create source'}
        </button>
        <button type="button" class="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
