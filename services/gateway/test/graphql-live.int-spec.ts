import { ComponentState, createSubjects, encodeComponentStatus, encodeMetricsReport } from '@sluice/bus';
import {
  actionMetricsByTenant,
  MetricsAnnouncer,
  ruleMetricsByTenant,
  StatusAnnouncer,
  type ComponentProbeResult,
} from '@sluice/pipeline';
import { SluiceMetrics } from '@sluice/telemetry';
import { eventually, testNamespace } from '../../../test/support';
import { createConnector, createRule, failure, httpConnector, ok, tenantWithKey } from './graphql-fixture';
import { startGraphqlApp } from './graphql-test-app';

// Statuses live in memory (no database), so one database is enough here.
describe('live connection states of sources and connectors', () => {
  const ns = testNamespace();
  let t: Awaited<ReturnType<typeof startGraphqlApp>>;

  beforeAll(async () => {
    t = await startGraphqlApp('sqlite', { busNamespace: ns.streamPrefix });
  });
  afterAll(async () => {
    await t?.close();
    await t?.dispose();
  });

  it("shows each replica's latest announcement, for the owning tenant only", async () => {
    const a = await tenantWithKey(t, 'live-a');
    const b = await tenantWithKey(t, 'live-b');
    const c = ok(await createConnector(t, a.key, httpConnector('watched'))).createConnector;
    const announce = (tenant: string, node: string, state: ComponentState, at: number, reason = '') =>
      t.bus.notify(
        createSubjects(ns.streamPrefix).status(tenant),
        encodeComponentStatus({
          ...{ tenant, kind: 'connector', id: c.id, state, reason, node, at },
          ttlMs: 0,
          gone: false,
        }),
      );
    const now = Date.now();
    await announce(a.id, 'delivery@h1', ComponentState.COMPONENT_STATE_CONNECTING, now - 2_000);
    await announce(a.id, 'delivery@h1', ComponentState.COMPONENT_STATE_CONNECTED, now - 1_000);
    // older than what h1 already said: ignored
    await announce(a.id, 'delivery@h1', ComponentState.COMPONENT_STATE_DISCONNECTED, now - 1_500, 'late');
    await announce(a.id, 'delivery@h2', ComponentState.COMPONENT_STATE_DISCONNECTED, now, 'ECONNREFUSED');
    // another tenant claiming the same id does not show under a's connector
    await announce(b.id, 'delivery@h3', ComponentState.COMPONENT_STATE_FAILED, now);

    const query = 'query($id: ID!) { connector(id: $id) { status { node state reason at } } }';
    await eventually(async () => {
      const { connector } = ok(
        await t.gql<{
          connector: { status: { node: string; state: string; reason: string | null; at: string }[] };
        }>(a.key, query, { id: c.id }),
      );
      expect(connector.status).toEqual([
        { node: 'delivery@h1', state: 'connected', reason: null, at: new Date(now - 1_000).toISOString() },
        {
          node: 'delivery@h2',
          state: 'disconnected',
          reason: 'ECONNREFUSED',
          at: new Date(now).toISOString(),
        },
      ]);
    });
  });
});

describe('live rule and action metrics, and announced states', () => {
  const ns = testNamespace();
  const subjects = createSubjects(ns.streamPrefix);
  const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
  let t: Awaited<ReturnType<typeof startGraphqlApp>>;

  beforeAll(async () => {
    t = await startGraphqlApp('sqlite', { busNamespace: ns.streamPrefix });
  });
  afterAll(async () => {
    await t?.close();
    await t?.dispose();
  });

  const METRICS = `query($id: ID!) { rule(id: $id) {
    metrics { matched passed failed failedException failedNoResult actionsTotal replicas }
    actions { metrics { matched success failed failedByCode { reason count } retried dropped
      droppedByReason { reason count } deadLettered queuing inflight lateReply replicas } } } }`;
  interface MetricsAnswer {
    rule: {
      metrics: Record<string, number>;
      actions: { metrics: Record<string, unknown> }[];
    };
  }

  it('sums the latest counters of every live replica, and drops a replica that stops', async () => {
    const a = await tenantWithKey(t, 'metrics-a');
    const b = await tenantWithKey(t, 'metrics-b');
    const c = ok(await createConnector(t, a.key, httpConnector('target'))).createConnector;
    const rule = ok(
      await createRule(t, a.key, {
        name: 'hot',
        sql: 'SELECT * FROM "t/#"',
        actions: [{ connectorId: c.id, config: { path: '/in' } }],
      }),
    ).createRule;
    const actionId = rule.actions[0]!.id;
    const replica = (node: string, counts: number) => {
      const metrics = new SluiceMetrics({ defaultMetrics: false });
      const labels = { tenant: a.id, rule: rule.id };
      metrics.ruleMatched.inc(labels, counts);
      metrics.rulePassed.inc(labels, counts - 1);
      metrics.ruleFailed.inc({ ...labels, reason: 'no_result' });
      metrics.ruleActions.inc(labels, counts - 1);
      const action = { tenant: a.id, connector: c.id, action: actionId };
      metrics.actionMatched.inc(action, counts);
      metrics.actionSuccess.inc(action, counts - 1);
      metrics.actionFailed.inc({ ...action, code: 'HTTP_503' });
      metrics.actionRetried.inc(action);
      metrics.actionDropped.inc({ ...action, reason: 'expired' });
      metrics.actionInflight.inc(action, 2);
      // the same ids under another tenant must not be added to a's
      metrics.ruleMatched.inc({ tenant: b.id, rule: rule.id }, 1_000);
      const options = { node, intervalMs: 60_000 };
      return {
        rules: new MetricsAnnouncer(t.bus, subjects, quiet, () => ruleMetricsByTenant(metrics), options),
        delivery: new MetricsAnnouncer(t.bus, subjects, quiet, () => actionMetricsByTenant(metrics), {
          ...options,
          node: `delivery-${node}`,
        }),
      };
    };
    const one = replica('r1', 5);
    const two = replica('r2', 3);
    await Promise.all([one.rules.tick(), one.delivery.tick(), two.rules.tick(), two.delivery.tick()]);

    await eventually(async () => {
      const answer = ok(await t.gql<MetricsAnswer>(a.key, METRICS, { id: rule.id }));
      expect(answer.rule.metrics).toEqual({
        matched: 8,
        passed: 6,
        failed: 2,
        failedException: 0,
        failedNoResult: 2,
        actionsTotal: 6,
        replicas: 2,
      });
      expect(answer.rule.actions[0]!.metrics).toEqual({
        matched: 8,
        success: 6,
        failed: 2,
        failedByCode: [{ reason: 'HTTP_503', count: 2 }],
        retried: 2,
        dropped: 2,
        droppedByReason: [{ reason: 'expired', count: 2 }],
        deadLettered: 0,
        queuing: 0,
        inflight: 4,
        lateReply: 0,
        replicas: 2,
      });
    });
    // b cannot read a's rule at all
    expect(failure(await t.gql(b.key, METRICS, { id: rule.id })).code).toBe('NOT_FOUND');

    await Promise.all([two.rules.stop(), two.delivery.stop()]);
    await eventually(async () => {
      const answer = ok(await t.gql<MetricsAnswer>(a.key, METRICS, { id: rule.id }));
      expect(answer.rule.metrics).toMatchObject({ matched: 5, replicas: 1 });
      expect(answer.rule.actions[0]!.metrics).toMatchObject({ matched: 5, replicas: 1 });
    });
    await Promise.all([one.rules.stop(), one.delivery.stop()]);
  });

  it("forgets a replica's report when its TTL passes without a new one", async () => {
    const a = await tenantWithKey(t, 'metrics-ttl');
    const rule = ok(
      await createRule(t, a.key, { name: 'r', sql: 'SELECT * FROM "t/#"', actions: [] }),
    ).createRule;
    await t.bus.notify(
      subjects.metrics(a.id),
      encodeMetricsReport({
        tenant: a.id,
        node: 'rules@dead:1',
        at: Date.now(),
        ttlMs: 300,
        gone: false,
        items: [{ kind: 'rule', id: rule.id, values: { matched: 7 } }],
      }),
    );
    const query = 'query($id: ID!) { rule(id: $id) { metrics { matched replicas } } }';
    await eventually(async () =>
      expect(ok(await t.gql<MetricsAnswer>(a.key, query, { id: rule.id })).rule.metrics).toEqual({
        matched: 7,
        replicas: 1,
      }),
    );
    await eventually(async () =>
      expect(ok(await t.gql<MetricsAnswer>(a.key, query, { id: rule.id })).rule.metrics).toEqual({
        matched: 0,
        replicas: 0,
      }),
    );
  });

  it('shows what a StatusAnnouncer says about a source, until the replica withdraws it', async () => {
    const a = await tenantWithKey(t, 'status-src');
    const { createSource } = ok(
      await t.gql<{ createSource: { id: string } }>(
        a.key,
        'mutation($i: CreateSourceInput!) { createSource(input: $i) { id } }',
        { i: { name: 'plant', kind: 'mqtt', config: { topics: [{ filter: 'x/#', qos: 1 }] } } },
      ),
    );
    const announcer = new StatusAnnouncer(t.bus, subjects, quiet, { node: 'ingest@h:9', intervalMs: 60_000 });
    let state: ComponentProbeResult = { state: 'connected' };
    announcer.track(a.id, 'source', createSource.id, () => state);
    await announcer.tick();
    const query = 'query($id: ID!) { source(id: $id) { status { node state reason } } }';
    const status = async () =>
      ok(
        await t.gql<{ source: { status: { node: string; state: string; reason: string | null }[] } }>(
          a.key,
          query,
          { id: createSource.id },
        ),
      ).source.status;
    await eventually(async () =>
      expect(await status()).toEqual([{ node: 'ingest@h:9', state: 'connected', reason: null }]),
    );
    state = { state: 'disconnected', reason: 'connack timeout' };
    await announcer.tick();
    await eventually(async () =>
      expect(await status()).toEqual([
        { node: 'ingest@h:9', state: 'disconnected', reason: 'connack timeout' },
      ]),
    );
    await announcer.stop();
    await eventually(async () => expect(await status()).toEqual([]));
  });
});
