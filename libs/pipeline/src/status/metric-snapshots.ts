import type { ComponentMetrics } from '@sluice/bus';
import type { SluiceMetrics } from '@sluice/telemetry';

/** Each tenant's counters of this replica, by rule or action. */
export type MetricsByTenant = Map<string, ComponentMetrics[]>;

type LabelValues = Partial<Record<string, string | number>>;
interface Readable {
  get(): Promise<{ values: { value: number; labels: LabelValues }[] }>;
}

/**
 * Adds one Prometheus metric into `into`: each series goes to its tenant's component (`idLabel`) under
 * `name`, or `name.<split label>` as well when the metric is split by reason or code.
 */
async function addMetric(
  into: Map<string, Map<string, Record<string, number>>>,
  metric: Readable,
  idLabel: string,
  name: string,
  split?: string,
): Promise<void> {
  for (const { value, labels } of (await metric.get()).values) {
    const tenant = labels.tenant;
    const id = labels[idLabel];
    if (tenant === undefined || id === undefined) continue;
    const components = into.get(String(tenant)) ?? new Map<string, Record<string, number>>();
    into.set(String(tenant), components);
    const values = components.get(String(id)) ?? {};
    components.set(String(id), values);
    values[name] = (values[name] ?? 0) + value;
    const part = split ? labels[split] : undefined;
    if (part !== undefined) values[`${name}.${part}`] = (values[`${name}.${part}`] ?? 0) + value;
  }
}

function toReports(
  kind: string,
  collected: Map<string, Map<string, Record<string, number>>>,
): MetricsByTenant {
  const out: MetricsByTenant = new Map();
  for (const [tenant, components] of collected) {
    out.set(
      tenant,
      [...components].map(([id, values]) => ({ kind, id, values })),
    );
  }
  return out;
}

/**
 * The rules service's per-rule counters under EMQX's names (matched, passed, failed,
 * failed.exception, failed.no_result, actions.total), read from the Prometheus counters the rule
 * stage keeps, so nothing is counted twice.
 *
 * @example const byTenant = await ruleMetricsByTenant(metrics); // Map { 'acme' => [{ kind: 'rule', id, values }] }
 */
export async function ruleMetricsByTenant(metrics: SluiceMetrics): Promise<MetricsByTenant> {
  metrics.flush();
  const collected = new Map<string, Map<string, Record<string, number>>>();
  await addMetric(collected, metrics.ruleMatched, 'rule', 'matched');
  await addMetric(collected, metrics.rulePassed, 'rule', 'passed');
  await addMetric(collected, metrics.ruleFailed, 'rule', 'failed', 'reason');
  await addMetric(collected, metrics.ruleActions, 'rule', 'actions.total');
  return toReports('rule', collected);
}

/**
 * The delivery service's per-action counters under EMQX's names (matched, success, failed,
 * retried, dropped.<reason>, queuing, inflight, late_reply) plus dead_lettered and fallback, read
 * from the delivery stage's Prometheus metrics.
 *
 * @example const byTenant = await actionMetricsByTenant(metrics);
 */
export async function actionMetricsByTenant(metrics: SluiceMetrics): Promise<MetricsByTenant> {
  metrics.flush();
  const collected = new Map<string, Map<string, Record<string, number>>>();
  await addMetric(collected, metrics.actionMatched, 'action', 'matched');
  await addMetric(collected, metrics.actionSuccess, 'action', 'success');
  await addMetric(collected, metrics.actionFailed, 'action', 'failed', 'code');
  await addMetric(collected, metrics.actionRetried, 'action', 'retried');
  await addMetric(collected, metrics.actionDropped, 'action', 'dropped', 'reason');
  await addMetric(collected, metrics.actionQueuing, 'action', 'queuing');
  await addMetric(collected, metrics.actionInflight, 'action', 'inflight');
  await addMetric(collected, metrics.actionLateReply, 'action', 'late_reply');
  await addMetric(collected, metrics.actionDeadLettered, 'action', 'dead_lettered', 'code');
  await addMetric(collected, metrics.actionFallback, 'action', 'fallback');
  return toReports('action', collected);
}
