import {
  createSubjects,
  decodeRuleTraceEvent,
  defaultBusConfig,
  encodeRuleTap,
  InProcessBus,
  type IngestEnvelope,
  type RuleTraceEvent,
} from '@sluice/bus';
import { RuleTaps, type StageLogger } from '@sluice/pipeline';
import { compileRule, type RuleResult } from '@sluice/rule-engine';
import { eventually } from '../../../../test/support';

const subjects = createSubjects('T_tap_');
const warnings: string[] = [];
const log: StageLogger = { log: () => undefined, warn: (m) => warnings.push(m), error: () => undefined };

const envelope = (id: string, topic = 't/1'): IngestEnvelope => ({
  id,
  tenant: 'acme',
  source: 's',
  topic,
  payload: Buffer.from('{"x":5}'),
  qos: 1,
  retain: false,
  userProperties: [],
  clientid: '',
  username: '',
  peerhost: '',
  receivedAt: 0,
  trace: {},
});

async function setUp(options: { maxPerSecond?: number; maxTtlMs?: number } = {}) {
  const bus = new InProcessBus(defaultBusConfig(), subjects);
  await bus.start();
  let now = 1_000_000;
  const taps = new RuleTaps(bus, subjects, log, { node: 'rules@h:1', ...options }, () => now);
  const events: RuleTraceEvent[] = [];
  bus.onNotify(subjects.ruleTrace('acme', 'r1'), (data) => events.push(decodeRuleTraceEvent(data)));
  return { bus, taps, events, advance: (ms: number) => (now += ms), now: () => now };
}

const passed: RuleResult = { matched: true, outputs: [{ x: 5 }] };

describe('RuleTaps', () => {
  it('publishes nothing while no tap is active', async () => {
    const { bus, taps, events } = await setUp();
    taps.observe('acme', 'r1', envelope('m1'), passed);
    await bus.notify(subjects.ruleTrace('acme', 'r1'), new Uint8Array()); // a marker: delivery is in order
    await eventually(() => expect(events).toHaveLength(1));
    expect(events[0]!.messageId).toBe('');
    await bus.close();
  });

  it("publishes a tapped rule's evaluations (outputs, no match, error) until the TTL passes", async () => {
    const { bus, taps, events, advance, now } = await setUp();
    taps.start();
    await bus.notify(subjects.ruleTap('acme'), encodeRuleTap({ tenant: 'acme', ruleId: 'r1', ttlMs: 5_000 }));
    await eventually(() => expect(taps.size).toBe(1));
    const broken = compileRule('SELECT 1 div 0 AS y FROM "t/#"').evaluate({ topic: 't/1', payload: '{}' });
    taps.observe('acme', 'r1', envelope('m1'), passed);
    taps.observe('acme', 'r1', envelope('m2', 't/2'), { matched: false });
    taps.observe('acme', 'r1', envelope('m3'), broken);
    taps.observe('acme', 'other-rule', envelope('m4'), passed);
    await eventually(() => expect(events).toHaveLength(3));
    const { context, ...first } = events[0]!;
    expect(JSON.parse(context)).toMatchObject({ id: 'm1', topic: 't/1', payload: '{"x":5}', qos: 1 });
    expect(first).toEqual({
      tenant: 'acme',
      ruleId: 'r1',
      messageId: 'm1',
      topic: 't/1',
      matched: true,
      outputs: ['{"x":5}'],
      error: '',
      at: now(),
      node: 'rules@h:1',
      skipped: 0,
    });
    expect(events[1]).toMatchObject({ messageId: 'm2', topic: 't/2', matched: false, outputs: [] });
    expect(events[2]).toMatchObject({
      messageId: 'm3',
      matched: false,
      error: 'SELECT: division by zero',
    });
    advance(5_001);
    taps.observe('acme', 'r1', envelope('m5'), passed);
    expect(taps.size).toBe(0);
    taps.stop();
    await bus.close();
  });

  it('cuts a payload over 64 KiB in the context it sends, and says so', async () => {
    const { bus, taps, events } = await setUp();
    taps.request({ tenant: 'acme', ruleId: 'r1', ttlMs: 5_000 });
    const big = { ...envelope('m1'), payload: Buffer.alloc(100_000, 'a') };
    taps.observe('acme', 'r1', big, passed);
    await eventually(() => expect(events).toHaveLength(1));
    const context = JSON.parse(events[0]!.context) as { payload: string; payload_truncated?: boolean };
    expect(context.payload).toHaveLength(64 * 1024);
    expect(context.payload_truncated).toBe(true);
    await bus.close();
  });

  it('caps the events per second and counts what it left out', async () => {
    const { bus, taps, events, advance } = await setUp({ maxPerSecond: 2 });
    taps.request({ tenant: 'acme', ruleId: 'r1', ttlMs: 60_000 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) taps.observe('acme', 'r1', envelope(id), passed);
    advance(1_000);
    taps.observe('acme', 'r1', envelope('f'), passed);
    await eventually(() => expect(events).toHaveLength(3));
    expect(events.map((e) => [e.messageId, e.skipped])).toEqual([
      ['a', 0],
      ['b', 0],
      ['f', 3],
    ]);
    await bus.close();
  });

  it('ends a tap on TTL 0, bounds a long TTL, and ignores a tap sent on another tenant', async () => {
    const { bus, taps, events, advance } = await setUp({ maxTtlMs: 1_000 });
    taps.start();
    taps.request({ tenant: 'acme', ruleId: 'r1', ttlMs: 3_600_000 });
    advance(1_001);
    taps.observe('acme', 'r1', envelope('late'), passed);
    expect(taps.size).toBe(0);
    taps.request({ tenant: 'acme', ruleId: 'r1', ttlMs: 500 });
    taps.request({ tenant: 'acme', ruleId: 'r1', ttlMs: 0 });
    expect(taps.size).toBe(0);
    warnings.length = 0;
    await bus.notify(subjects.ruleTap('globex'), encodeRuleTap({ tenant: 'acme', ruleId: 'r1', ttlMs: 500 }));
    await eventually(() => expect(warnings.join()).toMatch(/tap of acme on .*globex/));
    expect(taps.size).toBe(0);
    expect(events).toHaveLength(0);
    taps.stop();
    await bus.close();
  });
});
