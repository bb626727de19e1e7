import type { MqttClient } from 'mqtt';
import {
  compareDelivery,
  connectPublisher,
  describeReport,
  eventually,
  FaultMesh,
  HttpTarget,
  PrivateMosquitto,
  PrivateNats,
  QosStream,
  testNamespace,
  writeFaultPipeline,
} from '../support';
import { DeadLetterAdmin } from '@sluice/pipeline';

// Bad input in the middle of a QoS 1 stream: payloads that are not JSON, invalid UTF-8, huge
// payloads, topics with odd characters. Two rules see every message: `raw` (SELECT topic, payload:
// passes anything) and `json` (reads payload.id: a payload that is not JSON fails that rule for
// that message, counted as failed.exception, docs/rule-sql.md). Each bad message is handled as
// that says, and the stream around it flows on.
describe('fault: bad input mid-stream', () => {
  const ns = testNamespace();
  const nats = new PrivateNats();
  const broker = new PrivateMosquitto();
  const target = new HttpTarget();
  let mesh: FaultMesh;
  let publisher: MqttClient;
  const topic = (rest: string) => `${ns.topicPrefix}${rest}`;

  const raw = () =>
    target.requests
      .filter((r) => r.url === '/raw')
      .map((r) => JSON.parse(r.body) as { topic: string; payload: string });
  const jsonIds = () =>
    target.requests
      .filter((r) => r.url === '/json')
      .map((r) => String((JSON.parse(r.body) as { id: unknown }).id));
  const ruleFailures = () => mesh.metric('rules', 'sluice_rule_failed_total', 'reason="exception"');

  beforeAll(async () => {
    await Promise.all([nats.start(), broker.start(), target.start()]);
    const pipelineFile = writeFaultPipeline(
      ns,
      [
        { id: 'raw', kind: 'http', config: { url: target.url } },
        { id: 'json', kind: 'http', config: { url: target.url } },
      ],
      [
        {
          id: 'raw',
          sql: `SELECT topic, payload FROM "${ns.topicPrefix}#"`,
          actions: [{ id: 'post', connector: 'raw', config: { method: 'POST', path: '/raw' } }],
        },
        {
          id: 'json',
          sql: `SELECT payload.id AS id FROM "${ns.topicPrefix}#"`,
          actions: [{ id: 'post', connector: 'json', config: { method: 'POST', path: '/json' } }],
        },
      ],
    );
    mesh = await new FaultMesh({
      ns,
      natsUrl: nats.url,
      mqttUrl: broker.url,
      pipelineFile,
      services: ['ingest', 'rules', 'delivery'],
    }).start();
    publisher = await connectPublisher(broker.url, `pub-${ns.id}`);
  });

  afterAll(async () => {
    await publisher?.endAsync().catch(() => undefined);
    await mesh?.stop();
    await target.close();
    await Promise.all([nats.cleanup(), broker.cleanup()]);
  });

  /** Runs `inject` a third into a 300-message stream and checks the stream arrived whole at /json. */
  const aroundStream = async (name: string, inject: () => Promise<void>): Promise<void> => {
    const stream = new QosStream(() => publisher, topic(`flow/${name}`), `flow-${name}`);
    const streaming = stream.publish(300, 40);
    await eventually(() => expect(stream.acked.size).toBeGreaterThan(100), { timeoutMs: 30_000 });
    await inject();
    await streaming;
    await eventually(() => expect(compareDelivery(stream, jsonIds()).missing).toEqual([]), {
      timeoutMs: 60_000,
      intervalMs: 250,
    }).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await mesh.stageCounts()}\n${mesh.output()}`);
    });
    console.log(describeReport(`stream around ${name}`, compareDelivery(stream, jsonIds())));
  };

  it('passes payloads that are not JSON through SELECT payload, fails (and counts) them where a rule reads a field', async () => {
    const failuresBefore = await ruleFailures();
    const bodies = ['hello, not json {', '', '{"id": "unterminated', '[1,2', 'NaN'];
    await aroundStream('not-json', async () => {
      for (const [i, body] of bodies.entries())
        await publisher.publishAsync(topic(`bad/not-json/${i}`), body, { qos: 1 });
    });
    const arrived = raw().filter((r) => r.topic.startsWith(topic('bad/not-json/')));
    expect(arrived.map((r) => r.payload).sort()).toEqual([...bodies].sort());
    await eventually(async () => expect((await ruleFailures()) - failuresBefore).toBe(bodies.length));
  });

  it('reads invalid UTF-8 as text with replacement characters, inside JSON too', async () => {
    const failuresBefore = await ruleFailures();
    const notText = Buffer.from([0xff, 0xfe, 0x41, 0xc3]);
    const jsonWithBadString = Buffer.concat([
      Buffer.from('{"id":"utf8-json","s":"'),
      notText,
      Buffer.from('"}'),
    ]);
    await aroundStream('utf8', async () => {
      await publisher.publishAsync(topic('bad/utf8/bytes'), notText, { qos: 1 });
      await publisher.publishAsync(topic('bad/utf8/json'), jsonWithBadString, { qos: 1 });
    });
    const byTopic = new Map(raw().map((r) => [r.topic, r.payload]));
    expect(byTopic.get(topic('bad/utf8/bytes'))).toBe(notText.toString('utf8'));
    expect(byTopic.get(topic('bad/utf8/bytes'))).toContain('\uFFFD');
    expect(byTopic.get(topic('bad/utf8/json'))).toBe(jsonWithBadString.toString('utf8'));
    // the JSON one still has its id; the bytes one is not JSON, so the json rule fails on it
    expect(jsonIds()).toContain('utf8-json');
    await eventually(async () => expect((await ruleFailures()) - failuresBefore).toBe(1));
  });

  it('delivers topics with odd characters exactly as published', async () => {
    const odd = [
      'odd/with space',
      'odd/ünïcødé/温度/℃',
      'odd/emoji/🚀',
      'odd/quotes/"\'`',
      "odd/sql/'; DROP TABLE x; --",
      'odd/percent/%20%00',
      'odd//empty-level',
      'odd/trailing/',
      `odd/long/${'x'.repeat(2000)}`,
      'odd/$dollar/in/the/middle',
    ].map(topic);
    await aroundStream('topics', async () => {
      for (const [i, t] of odd.entries()) {
        await publisher.publishAsync(t, JSON.stringify({ id: `odd-${i}` }), { qos: 1 });
      }
    });
    await eventually(() =>
      expect(
        raw()
          .map((r) => r.topic)
          .filter((t) => odd.includes(t))
          .sort(),
      ).toEqual([...odd].sort()),
    );
    expect(
      jsonIds()
        .filter((id) => id.startsWith('odd-'))
        .sort(),
    ).toEqual(odd.map((_, i) => `odd-${i}`).sort());
  });

  it('delivers a 512 KiB payload whole', async () => {
    const big = JSON.stringify({ id: 'big-512k', fill: 'x'.repeat(512 * 1024) });
    await aroundStream('big', async () => {
      await publisher.publishAsync(topic('bad/big/512k'), big, { qos: 1 });
    });
    await eventually(() => expect(jsonIds()).toContain('big-512k'));
    expect(raw().find((r) => r.topic === topic('bad/big/512k'))?.payload).toBe(big);
  });

  describe('a 2 MiB payload (over NATS max_payload, 1 MiB by default)', () => {
    const storeFailures = () => mesh.metric('ingest', 'sluice_source_store_failures_total');
    const rejected = () => mesh.metric('ingest', 'sluice_source_messages_dropped_total', 'reason="rejected"');

    it('does not hold up the rest of the stream; ingest dead-letters it and counts it as dropped', async () => {
      const huge = JSON.stringify({ id: 'huge-2m', fill: 'x'.repeat(2 * 1024 * 1024) });
      await aroundStream('huge', async () => {
        await publisher.publishAsync(topic('bad/huge/2m'), huge, { qos: 1 });
      });
      await eventually(async () => expect(await rejected()).toBe(1));
      expect(jsonIds()).not.toContain('huge-2m');
      const admin = await DeadLetterAdmin.connect(nats.url, ns.streamPrefix);
      try {
        const letters = await admin.list({ tenant: `t${ns.id}`, connector: '_ingest' });
        expect(letters.map((l) => l.code)).toEqual(['INGEST_MESSAGE_TOO_LARGE']);
        expect(letters[0]!.message).toContain(topic('bad/huge/2m'));
      } finally {
        await admin.close();
      }
    });

    // It used to be retried for ever (holding an in-flight slot for good); now ingest dead-letters
    // it with its head, acknowledges it and counts it (SLUICE_INGEST_MAX_MESSAGE_BYTES).
    it('is given up at once: acknowledged (no message held in flight) and never a failed store', async () => {
      const inFlight = () => mesh.metric('ingest', 'sluice_source_connection_in_flight_messages');
      // a retried store would hold the message in flight and count a store failure per attempt
      await eventually(async () => expect(await inFlight()).toBe(0));
      expect(await storeFailures()).toBe(0);
    });
  });
});
