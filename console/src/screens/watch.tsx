import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api';
import { Empty, ErrorBox, fmt, Loading, StatusBadges, useApp, useQuery, useTenantVars } from '../ui';
import { RateChart } from './rate-chart';
import { TRACE, type TraceEvent } from './trace';

interface WatchedRule {
  id: string;
  name: string;
  enabled: boolean;
  metrics: {
    matched: number;
    passed: number;
    failed: number;
    failedNoResult: number;
    failedException: number;
    actionsTotal: number;
  };
  actions: {
    id: string;
    connectorId: string;
    metrics: {
      matched: number;
      success: number;
      failed: number;
      retried: number;
      deadLettered: number;
      dropped: number;
      inflight: number;
    };
  }[];
}

const WATCH = `query($t: ID) {
  rules(first: 500, tenantId: $t) { nodes { id name enabled
    metrics { matched passed failed failedNoResult failedException actionsTotal }
    actions { id connectorId metrics { matched success failed retried deadLettered dropped inflight } } } }
  connectors(first: 500, tenantId: $t) { nodes { id name kind status { node state reason at } } }
  sources(first: 500, tenantId: $t) { nodes { id name status { node state reason at } } } }`;

interface WatchData {
  rules: { nodes: WatchedRule[] };
  connectors: {
    nodes: {
      id: string;
      name: string;
      kind: string;
      status: { node: string; state: string; reason?: string | null; at: string }[];
    }[];
  };
  sources: {
    nodes: {
      id: string;
      name: string;
      status: { node: string; state: string; reason?: string | null; at: string }[];
    }[];
  };
}

const POLL_MS = 2_000;
const WINDOW_S = 5 * 60;

/** Counters sampled every poll; rates are the differences, kept for the last five minutes. */
function useRates(rule: WatchedRule | undefined) {
  const samples = useRef<{ at: number; matched: number; passed: number; failed: number }[]>([]);
  const [rates, setRates] = useState<{ times: number[]; values: number[][] }>({
    times: [],
    values: [[], [], []],
  });
  useEffect(() => {
    samples.current = [];
  }, [rule?.id]);
  useEffect(() => {
    if (!rule) return;
    const now = Date.now() / 1000;
    const list = samples.current;
    list.push({ at: now, ...rule.metrics });
    while (list.length > 2 && list[0]!.at < now - WINDOW_S) list.shift();
    const times: number[] = [];
    const values: number[][] = [[], [], []];
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1]!;
      const b = list[i]!;
      const dt = Math.max(0.001, b.at - a.at);
      times.push(b.at);
      values[0]!.push(Math.max(0, (b.matched - a.matched) / dt));
      values[1]!.push(Math.max(0, (b.passed - a.passed) / dt));
      values[2]!.push(Math.max(0, (b.failed - a.failed) / dt));
    }
    setRates({ times, values });
  }, [rule]);
  return rates;
}

const SERIES = [
  { label: 'matched', color: '#2563eb' },
  { label: 'passed', color: '#16a34a' },
  { label: 'failed', color: '#dc2626' },
];

export function WatchScreen() {
  const { api } = useApp();
  const vars = useTenantVars();
  const data = useQuery<WatchData>(WATCH, vars, POLL_MS);
  const rules = data.data?.rules.nodes;
  const [ruleId, setRuleId] = useState<string>();
  const rule = rules?.find((r) => r.id === ruleId) ?? rules?.[0];
  const rates = useRates(rule);
  const [events, setEvents] = useState<TraceEvent[]>([]);
  const [traceError, setTraceError] = useState<ApiError>();
  const connectorName = (id: string) => data.data?.connectors.nodes.find((c) => c.id === id)?.name ?? id;

  useEffect(() => {
    if (!rule?.id) return;
    setEvents([]);
    setTraceError(undefined);
    return api.subscribe<{ ruleTrace: TraceEvent }>(
      TRACE,
      { r: rule.id, ...vars },
      ({ ruleTrace }) => setEvents((list) => [ruleTrace, ...list].slice(0, 50)),
      setTraceError,
    );
  }, [rule?.id]);

  if (!data.data && data.loading) return <Loading what="counters" />;
  return (
    <section>
      <ErrorBox error={data.error} title="Cannot read the counters" />
      {rules?.length === 0 && <Empty>No rules to watch yet. Create one under Rules.</Empty>}
      {rule && (
        <>
          <label class="field inline">
            <span class="label">Rule</span>
            <select
              aria-label="Rule to watch"
              value={rule.id}
              onChange={(e) => setRuleId((e.target as HTMLSelectElement).value)}
            >
              {rules!.map((r) => (
                <option value={r.id}>{r.name}</option>
              ))}
            </select>
          </label>
          <div class="counters" aria-label="Rule counters">
            {(
              ['matched', 'passed', 'failed', 'failedNoResult', 'failedException', 'actionsTotal'] as const
            ).map((k) => (
              <div class="counter" data-counter={k}>
                <span class="value">{fmt(rule.metrics[k])}</span>
                <span class="label">{k}</span>
              </div>
            ))}
          </div>
          <RateChart times={rates.times} values={rates.values} series={SERIES} />
          <h2>Actions</h2>
          {rule.actions.length === 0 ? (
            <Empty>This rule has no actions.</Empty>
          ) : (
            <table aria-label="Action counters">
              <thead>
                <tr>
                  <th>Connector</th>
                  {['matched', 'success', 'failed', 'retried', 'deadLettered', 'dropped', 'inflight'].map(
                    (k) => (
                      <th class="num">{k}</th>
                    ),
                  )}
                </tr>
              </thead>
              <tbody>
                {rule.actions.map((a) => (
                  <tr data-action={a.id}>
                    <td>{connectorName(a.connectorId)}</td>
                    {(
                      [
                        'matched',
                        'success',
                        'failed',
                        'retried',
                        'deadLettered',
                        'dropped',
                        'inflight',
                      ] as const
                    ).map((k) => (
                      <td class="num" data-counter={k}>
                        {fmt(a.metrics[k])}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Live trace</h2>
          <ErrorBox error={traceError} title="Live trace stopped" />
          {events.length === 0 && !traceError && (
            <Empty>Listening: each evaluation of this rule shows here as it happens.</Empty>
          )}
          <ol class="trace" aria-label="Live trace" aria-live="polite">
            {events.map((e) => (
              <li class={e.error ? 'bad' : e.matched ? 'good' : 'muted'}>
                <time>{new Date(e.at).toLocaleTimeString()}</time> <span class="mono">{e.topic}</span>{' '}
                {e.error ? (
                  `error: ${e.error}`
                ) : e.matched ? (
                  <span class="mono">{e.outputs.map((o) => JSON.stringify(o)).join(' ')}</span>
                ) : (
                  'no match'
                )}
              </li>
            ))}
          </ol>
        </>
      )}
      <h2>Status</h2>
      <table aria-label="Status">
        <tbody>
          {data.data?.sources.nodes.map((s) => (
            <tr>
              <td>source {s.name}</td>
              <td>
                <StatusBadges status={s.status} />
              </td>
            </tr>
          ))}
          {data.data?.connectors.nodes.map((c) => (
            <tr>
              <td>
                connector {c.name} ({c.kind})
              </td>
              <td>
                <StatusBadges status={c.status} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
