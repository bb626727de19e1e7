import {
  ComponentState,
  createSubjects,
  decodeComponentStatus,
  decodeMetricsReport,
  defaultBusConfig,
  InProcessBus,
  type Bus,
  type ComponentStatus,
  type MetricsReport,
} from '@sluice/bus';
import {
  actionMetricsByTenant,
  MetricsAnnouncer,
  replicaNode,
  ruleMetricsByTenant,
  StatusAnnouncer,
  type ComponentProbeResult,
  type StageLogger,
} from '@sluice/pipeline';
import { SluiceMetrics } from '@sluice/telemetry';
import { eventually } from '../../../../test/support';

const subjects = createSubjects('T_announce_');
const warnings: string[] = [];
const log: StageLogger = { log: () => undefined, warn: (m) => warnings.push(m), error: () => undefined };

async function startBus(): Promise<InProcessBus> {
  const bus = new InProcessBus(defaultBusConfig(), subjects);
  await bus.start();
  return bus;
}

describe('StatusAnnouncer', () => {
  it('announces the first state, then only changes, then everything on refresh, then gone', async () => {
    const bus = await startBus();
    const seen: ComponentStatus[] = [];
    bus.onNotify(subjects.status(), (data) => seen.push(decodeComponentStatus(data)));
    const announcer = new StatusAnnouncer(bus, subjects, log, {
      node: 'ingest@h:1',
      intervalMs: 100,
      refreshEvery: 3,
    });
    let state: ComponentProbeResult = { state: 'connecting' };
    announcer.track('acme', 'source', 'plant-a', () => state);
    await announcer.tick(); // first tick: refresh
    await announcer.tick(); // unchanged: nothing
    state = { state: 'disconnected', reason: 'ECONNREFUSED' };
    await announcer.tick(); // changed
    await announcer.tick(); // refresh (every 3rd): unchanged but announced
    await eventually(() => expect(seen).toHaveLength(3));
    expect(seen.map((s) => [s.state, s.reason])).toEqual([
      [ComponentState.COMPONENT_STATE_CONNECTING, ''],
      [ComponentState.COMPONENT_STATE_DISCONNECTED, 'ECONNREFUSED'],
      [ComponentState.COMPONENT_STATE_DISCONNECTED, 'ECONNREFUSED'],
    ]);
    expect(seen[0]).toMatchObject({ tenant: 'acme', kind: 'source', id: 'plant-a', node: 'ingest@h:1' });
    // three refresh periods of 3 × 100 ms: one lost announcement does not expire the entry
    expect(seen[0]!.ttlMs).toBe(900);
    await announcer.stop();
    await eventually(() => expect(seen).toHaveLength(4));
    expect(seen[3]).toMatchObject({ id: 'plant-a', gone: true });
    await bus.close();
  });

  it('announces a probe that throws as failed, and withdraws an untracked component', async () => {
    const bus = await startBus();
    const seen: ComponentStatus[] = [];
    bus.onNotify(subjects.status('acme'), (data) => seen.push(decodeComponentStatus(data)));
    const announcer = new StatusAnnouncer(bus, subjects, log, { node: 'delivery@h:2', intervalMs: 100 });
    announcer.track('acme', 'connector', 'c1', () => {
      throw new Error('probe broke');
    });
    await announcer.tick();
    await announcer.untrack('acme', 'connector', 'c1');
    await eventually(() => expect(seen).toHaveLength(2));
    expect(seen[0]).toMatchObject({ state: ComponentState.COMPONENT_STATE_FAILED, reason: 'probe broke' });
    expect(seen[1]).toMatchObject({ id: 'c1', gone: true });
    await announcer.stop();
    await bus.close();
  });

  it('logs each change between up and down once, with the reason, not every tick or new reason', async () => {
    const bus = await startBus();
    const lines: string[] = [];
    const recording: StageLogger = {
      log: (m) => lines.push(`log ${m}`),
      warn: (m) => lines.push(`warn ${m}`),
      error: (m) => lines.push(`error ${m}`),
    };
    const announcer = new StatusAnnouncer(bus, subjects, recording, { node: 'n', intervalMs: 100 });
    let state: ComponentProbeResult = { state: 'connecting' };
    announcer.track('acme', 'connector', 'hook', () => state);
    await announcer.tick(); // still connecting for the first time: nothing to say yet
    state = { state: 'connected' };
    await announcer.tick();
    await announcer.tick();
    state = { state: 'disconnected', reason: 'HTTP 503' };
    await announcer.tick();
    state = { state: 'disconnected', reason: 'ECONNREFUSED' }; // still down: no new line
    await announcer.tick();
    state = { state: 'connected' };
    await announcer.tick();
    expect(lines).toEqual([
      'log connector acme/hook is up',
      'warn connector acme/hook is down (disconnected): HTTP 503',
      expect.stringMatching(/^log connector acme\/hook is up again after \d+ s$/),
    ]);
    await announcer.stop();
    await bus.close();
  });

  it('keeps going when the bus refuses, and announces again on the next tick', async () => {
    const bus = await startBus();
    const seen: ComponentStatus[] = [];
    bus.onNotify(subjects.status(), (data) => seen.push(decodeComponentStatus(data)));
    let refuse = true;
    const flaky: Bus = Object.assign(Object.create(bus) as Bus, {
      notify: (subject: string, data: Uint8Array) =>
        refuse ? Promise.reject(new Error('bus down')) : bus.notify(subject, data),
    });
    const announcer = new StatusAnnouncer(flaky, subjects, log, {
      node: 'n',
      intervalMs: 100,
      refreshEvery: 100,
    });
    announcer.track('acme', 'source', 's', () => ({ state: 'connected' }));
    warnings.length = 0;
    await announcer.tick();
    expect(warnings.join()).toMatch(/status of source acme\/s not announced: bus down/);
    refuse = false;
    await announcer.tick(); // not a refresh tick, but the last one was not sent
    await eventually(() => expect(seen).toHaveLength(1));
    await announcer.stop();
    await bus.close();
  });

  it('names the replica by service, host and process', () => {
    expect(replicaNode('rules', 'pod-7', 42)).toBe('rules@pod-7:42');
  });
});

describe('MetricsAnnouncer', () => {
  it("reports each tenant's rule counters under EMQX names, when they change", async () => {
    const bus = await startBus();
    const seen: MetricsReport[] = [];
    bus.onNotify(subjects.metrics(), (data) => seen.push(decodeMetricsReport(data)));
    const metrics = new SluiceMetrics({ defaultMetrics: false });
    const acme = { tenant: 'acme', rule: 'r1' };
    metrics.ruleMatched.inc(acme, 3);
    metrics.rulePassed.inc(acme, 1);
    metrics.ruleFailed.inc({ ...acme, reason: 'exception' });
    metrics.ruleFailed.inc({ ...acme, reason: 'no_result' });
    metrics.ruleActions.inc(acme, 2);
    metrics.ruleMatched.inc({ tenant: 'globex', rule: 'r9' });
    const announcer = new MetricsAnnouncer(bus, subjects, log, () => ruleMetricsByTenant(metrics), {
      node: 'rules@h:1',
      intervalMs: 100,
      refreshEvery: 5,
    });
    await announcer.tick();
    await eventually(() => expect(seen).toHaveLength(2));
    const acmeReport = seen.find((r) => r.tenant === 'acme')!;
    expect(acmeReport).toMatchObject({ node: 'rules@h:1', ttlMs: 1_500, gone: false });
    expect(acmeReport.items).toEqual([
      {
        kind: 'rule',
        id: 'r1',
        values: {
          matched: 3,
          passed: 1,
          failed: 2,
          'failed.exception': 1,
          'failed.no_result': 1,
          'actions.total': 2,
        },
      },
    ]);
    metrics.ruleMatched.inc(acme);
    await announcer.tick(); // only acme changed
    await eventually(() => expect(seen).toHaveLength(3));
    expect(seen[2]!.tenant).toBe('acme');
    expect(seen[2]!.items[0]!.values.matched).toBe(4);
    await announcer.stop();
    await eventually(() => expect(seen).toHaveLength(5));
    expect(
      seen
        .slice(3)
        .map((r) => [r.tenant, r.gone])
        .sort(),
    ).toEqual([
      ['acme', true],
      ['globex', true],
    ]);
    await bus.close();
  });

  it('collects action counters per action, with reasons and codes', async () => {
    const metrics = new SluiceMetrics({ defaultMetrics: false });
    const a1 = { tenant: 'acme', connector: 'c1', action: 'a1' };
    metrics.actionMatched.inc(a1, 4);
    metrics.actionSuccess.inc(a1, 2);
    metrics.actionFailed.inc({ ...a1, code: 'HTTP_503' }, 2);
    metrics.actionFailed.inc({ ...a1, code: 'TIMEOUT' });
    metrics.actionRetried.inc(a1, 2);
    metrics.actionDropped.inc({ ...a1, reason: 'expired' });
    metrics.actionInflight.inc(a1, 3);
    metrics.actionQueuing.inc(a1);
    metrics.actionLateReply.inc(a1);
    metrics.actionDeadLettered.inc({ ...a1, code: 'HTTP_503' });
    const byTenant = await actionMetricsByTenant(metrics);
    expect(byTenant.get('acme')).toEqual([
      {
        kind: 'action',
        id: 'a1',
        values: {
          matched: 4,
          success: 2,
          failed: 3,
          'failed.HTTP_503': 2,
          'failed.TIMEOUT': 1,
          retried: 2,
          dropped: 1,
          'dropped.expired': 1,
          queuing: 1,
          inflight: 3,
          late_reply: 1,
          dead_lettered: 1,
          'dead_lettered.HTTP_503': 1,
        },
      },
    ]);
  });
});
