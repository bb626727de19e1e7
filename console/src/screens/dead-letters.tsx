import { useState } from 'preact/hooks';
import { Empty, ErrorBox, Loading, useAction, useApp, useQuery, useTenantVars } from '../ui';

interface Letter {
  seq: number;
  connectorId: string;
  ruleId: string;
  requestId: string;
  code: string;
  message: string;
  attempts: number;
  failedAt: string;
  redrivable: boolean;
}

const LIST = `query($c: ID, $t: ID) { deadLetters(connectorId: $c, first: 500, tenantId: $t) {
  seq connectorId ruleId requestId code message attempts failedAt redrivable }
  connectors(first: 500, tenantId: $t) { nodes { id name } } }`;

export function DeadLettersScreen() {
  const { api } = useApp();
  const vars = useTenantVars();
  const [connector, setConnector] = useState('');
  const list = useQuery<{ deadLetters: Letter[]; connectors: { nodes: { id: string; name: string }[] } }>(
    LIST,
    { ...vars, c: connector || null },
    5_000,
  );
  const [inspected, setInspected] = useState<number>();
  const detail = useAction((seq: number) =>
    api.query<{ deadLetter: Letter & { data: string; sourceMessageId: string; createdAt: string } }>(
      'query($s: Float!, $t: ID) { deadLetter(seq: $s, tenantId: $t) { seq code message attempts data sourceMessageId createdAt requestId } }',
      { ...vars, s: seq },
    ),
  );
  const redrive = useAction(async (seq: number) => {
    await api.mutate(
      'mutation($s: Float!, $t: ID) { redriveDeadLetter(seq: $s, tenantId: $t) { messageId } }',
      { ...vars, s: seq },
    );
    list.reload();
    return `Dead letter ${seq} sent again.`;
  });
  const redriveAll = useAction(async () => {
    const { redriveDeadLetters } = await api.mutate<{ redriveDeadLetters: number }>(
      'mutation($c: ID, $t: ID) { redriveDeadLetters(connectorId: $c, tenantId: $t) }',
      { ...vars, c: connector || null },
    );
    list.reload();
    return `${redriveDeadLetters} dead letter(s) sent again.`;
  });
  const letters = list.data?.deadLetters;
  const name = (id: string) => list.data?.connectors.nodes.find((c) => c.id === id)?.name ?? id;
  const shown = detail.result?.deadLetter;
  return (
    <section>
      <p class="muted">
        Requests delivery gave up on, with the last error. Re-driving sends one to its connector again, under
        the same request id.
      </p>
      <div class="toolbar">
        <label class="field inline">
          <span class="label">Connector</span>
          <select
            aria-label="Connector"
            value={connector}
            onChange={(e) => setConnector((e.target as HTMLSelectElement).value)}
          >
            <option value="">all</option>
            {list.data?.connectors.nodes.map((c) => (
              <option value={c.id}>{c.name}</option>
            ))}
          </select>
        </label>
        <button
          onClick={() => void redriveAll.run()}
          disabled={!letters?.some((l) => l.redrivable) || redriveAll.busy}
        >
          Re-drive all{connector ? ` of ${name(connector)}` : ''}
        </button>
      </div>
      <ErrorBox error={list.error ?? redrive.error ?? redriveAll.error} title="Dead letters" />
      {(redrive.result ?? redriveAll.result) && (
        <p class="good" role="status">
          {redriveAll.result ?? redrive.result}
        </p>
      )}
      {!letters && list.loading && <Loading what="dead letters" />}
      {letters?.length === 0 && (
        <Empty>
          No dead letters{connector ? ` for ${name(connector)}` : ''}: everything was delivered (or is still
          being retried).
        </Empty>
      )}
      {letters && letters.length > 0 && (
        <table aria-label="Dead letters">
          <thead>
            <tr>
              <th class="num">#</th>
              <th>Connector</th>
              <th>Code</th>
              <th class="num">Attempts</th>
              <th>Failed at</th>
              <th>Message</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {letters.map((l) => (
              <tr data-seq={l.seq}>
                <td class="num">{l.seq}</td>
                <td>{name(l.connectorId)}</td>
                <td class="mono">{l.code}</td>
                <td class="num">{l.attempts}</td>
                <td>{new Date(l.failedAt).toLocaleString()}</td>
                <td class="clip">{l.message}</td>
                <td class="actions">
                  <button
                    class="link"
                    onClick={() => {
                      setInspected(l.seq);
                      void detail.run(l.seq);
                    }}
                  >
                    Inspect
                  </button>
                  {l.redrivable && (
                    <button class="link" onClick={() => void redrive.run(l.seq)}>
                      Re-drive
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {inspected !== undefined && (
        <section class="panel" aria-label={`Dead letter ${inspected}`}>
          <h2>Dead letter {inspected}</h2>
          <ErrorBox error={detail.error} title="Cannot read it" />
          {shown && (
            <dl>
              <dt>Error</dt>
              <dd>
                {shown.code}: {shown.message}
              </dd>
              <dt>Attempts</dt>
              <dd>{shown.attempts}</dd>
              <dt>Request</dt>
              <dd class="mono">{shown.requestId || '(none)'}</dd>
              <dt>From message</dt>
              <dd class="mono">{shown.sourceMessageId || '(none)'}</dd>
              <dt>Data</dt>
              <dd>
                <pre class="mono">{shown.data}</pre>
              </dd>
            </dl>
          )}
          <button class="secondary" onClick={() => setInspected(undefined)}>
            Close
          </button>
        </section>
      )}
    </section>
  );
}
