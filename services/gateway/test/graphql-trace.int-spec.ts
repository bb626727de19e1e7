import {
  createSubjects,
  decodeRuleTap,
  encodeIngestEnvelope,
  type Consumption,
  type RuleTap,
} from '@sluice/bus';
import { RuleStage, RuleTaps } from '@sluice/pipeline';
import { eventually, testNamespace } from '../../../test/support';
import { subscribe } from '../../../test/support/graphql-subscription';
import { createRule, ok, storedDefinition, tenantWithKey } from './graphql-fixture';
import { startGraphqlApp } from './graphql-test-app';

interface TraceEvent {
  ruleId: string;
  messageId: string;
  topic: string;
  matched: boolean;
  outputs: Record<string, unknown>[];
  error: string | null;
  node: string;
}

const TRACE = `subscription($r: ID!, $t: ID) {
  ruleTrace(ruleId: $r, tenantId: $t) { ruleId messageId topic matched outputs error node } }`;

// The rules side runs in this process on the gateway's bus: a real RuleStage with RuleTaps.
describe('ruleTrace subscription', () => {
  const ns = testNamespace();
  const subjects = createSubjects(ns.streamPrefix);
  const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
  let t: Awaited<ReturnType<typeof startGraphqlApp>>;
  let taps: RuleTaps;
  let stage: RuleStage;
  let consumption: Consumption;
  const tapRequests: RuleTap[] = [];

  beforeAll(async () => {
    t = await startGraphqlApp('sqlite', { busNamespace: ns.streamPrefix });
    taps = new RuleTaps(t.bus, subjects, quiet, { node: 'rules@test:1' });
    taps.start();
    t.bus.onNotify(subjects.ruleTap(), (data) => tapRequests.push(decodeRuleTap(data)));
    stage = new RuleStage(t.bus, subjects, quiet, undefined, taps);
    consumption = await t.bus.consume(
      { stream: 'INGEST', durable: 'rules', filterSubject: subjects.ingestAll() },
      (message) => stage.handle(message),
    );
  });
  afterAll(async () => {
    await consumption?.stop();
    taps?.stop();
    await t?.close();
    await t?.dispose();
  });

  const publish = (tenant: string, id: string, topic: string, payload: unknown) =>
    t.bus.publish(
      subjects.ingest(tenant, 'src'),
      encodeIngestEnvelope({
        id,
        tenant,
        source: 'src',
        topic,
        payload: Buffer.from(JSON.stringify(payload)),
        qos: 1,
        retain: false,
        userProperties: [],
        clientid: '',
        username: '',
        peerhost: '',
        receivedAt: Date.now(),
        trace: {},
      }),
      { msgId: id },
    );

  it("streams the rule's evaluations while subscribed, and ends the tap when the subscriber leaves", async () => {
    const a = await tenantWithKey(t, 'trace-a');
    const rule = ok(
      await createRule(t, a.key, {
        name: 'hot',
        sql: 'SELECT payload.x AS x FROM "t/#" WHERE payload.x > 1',
        actions: [],
      }),
    ).createRule;
    stage.loadTenant((await storedDefinition(t, a.id))!);

    const sub = subscribe<TraceEvent>(t.url, a.key, TRACE, { r: rule.id });
    await eventually(() => expect(taps.size).toBe(1));
    expect(tapRequests.at(-1)).toEqual({ tenant: a.id, ruleId: rule.id, ttlMs: 30_000 });
    await publish(a.id, 'm-hot', 't/1', { x: 5 });
    await publish(a.id, 'm-cold', 't/2', { x: 0 });
    await eventually(() => expect(sub.events).toHaveLength(2));
    expect(sub.errors).toEqual([]);
    const byId = Object.fromEntries(sub.events.map((e) => [e.messageId, e]));
    expect(byId['m-hot']).toEqual({
      ruleId: rule.id,
      messageId: 'm-hot',
      topic: 't/1',
      matched: true,
      outputs: [{ x: 5 }],
      error: null,
      node: 'rules@test:1',
    });
    expect(byId['m-cold']).toMatchObject({ topic: 't/2', matched: false, outputs: [], error: null });

    await sub.close();
    await eventually(() => expect(tapRequests.at(-1)).toEqual({ tenant: a.id, ruleId: rule.id, ttlMs: 0 }));
    await eventually(() => expect(taps.size).toBe(0));
  });

  it('carries the message as the rule saw it, which testRule takes back as its context', async () => {
    const a = await tenantWithKey(t, 'trace-context');
    const sql = 'SELECT payload.x * 2 AS y, qos FROM "t/#" WHERE payload.x > 1';
    const rule = ok(await createRule(t, a.key, { name: 'ctx', sql, actions: [] })).createRule;
    stage.loadTenant((await storedDefinition(t, a.id))!);
    const WITH_CONTEXT = 'subscription($r: ID!) { ruleTrace(ruleId: $r) { messageId outputs context } }';
    const sub = subscribe<{ messageId: string; outputs: unknown[]; context: Record<string, unknown> }>(
      t.url,
      a.key,
      WITH_CONTEXT,
      { r: rule.id },
    );
    await eventually(() => expect(taps.size).toBe(1));
    await publish(a.id, 'm-ctx', 't/9', { x: 21 });
    await eventually(() => expect(sub.events).toHaveLength(1));
    const [event] = sub.events;
    expect(event!.context).toMatchObject({ topic: 't/9', payload: '{"x":21}', qos: 1, id: 'm-ctx' });
    const { testRule } = ok(
      await t.gql<{ testRule: { matched: boolean; outputs: unknown[] } }>(
        a.key,
        'query($sql: String!, $c: JSONObject!) { testRule(sql: $sql, context: $c) { matched outputs } }',
        { sql, c: event!.context },
      ),
    );
    expect(testRule).toEqual({ matched: true, outputs: [{ y: 42, qos: 1 }] });
    expect(event!.outputs).toEqual(testRule.outputs);
    await sub.close();
  });

  it("refuses another tenant's rule, another tenant's id and a missing key", async () => {
    const a = await tenantWithKey(t, 'trace-owner');
    const b = await tenantWithKey(t, 'trace-other');
    const rule = ok(
      await createRule(t, a.key, { name: 'r', sql: 'SELECT * FROM "t/#"', actions: [] }),
    ).createRule;
    const before = tapRequests.length;
    const attempts = [
      subscribe<TraceEvent>(t.url, b.key, TRACE, { r: rule.id }),
      subscribe<TraceEvent>(t.url, b.key, TRACE, { r: rule.id, t: a.id }),
      subscribe<TraceEvent>(t.url, undefined, TRACE, { r: rule.id }),
    ];
    await Promise.all(attempts.map((s) => s.ended));
    expect(attempts.slice(0, 2).map((s) => s.errors.map((e) => e.extensions?.code))).toEqual([
      ['NOT_FOUND'],
      ['FORBIDDEN'],
    ]);
    // without a key the connection itself is refused at connection_init (closed with 4403)
    expect(attempts[2]!.errors).toHaveLength(1);
    expect(attempts.flatMap((s) => s.events)).toEqual([]);
    // queries and mutations do not run over WebSocket (no limits there)
    const query = subscribe(t.url, a.key, '{ rules { nodes { id } } }');
    await query.ended;
    expect(query.errors.map((e) => e.extensions)).toEqual([
      { code: 'BAD_USER_INPUT', sluiceCode: 'SUBSCRIPTIONS_ONLY' },
    ]);
    expect(query.events).toEqual([]);
    await query.close();
    // nothing was tapped for them
    expect(tapRequests.slice(before)).toEqual([]);
    await Promise.all(attempts.map((s) => s.close()));
  });
});
