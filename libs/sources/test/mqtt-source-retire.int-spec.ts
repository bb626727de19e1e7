import type { MqttClient } from 'mqtt';
import { createMqttSource, type MqttSource } from '../src/mqtt/mqtt-source';
import { eventually, testNamespace, testServers } from '../../../test/support';
import { RecordingSink, connectPublisher, forgetSessions } from './source-test-kit';

const ns = testNamespace();
const url = testServers.mqttUrl;

// Scaling ingest down (issue 19): a member of a share group that only stops keeps its persistent
// session, and the broker goes on handing that session its share while it is away; a member that
// retires unsubscribes, drains and ends its session, so its share goes to the others.
describe.each([5, 4] as const)('retiring an MQTT %s share-group member on Mosquitto', (protocolVersion) => {
  const filter = `${ns.topicPrefix}v${protocolVersion}/#`;
  const group = `g${ns.id}v${protocolVersion}`;
  const clientIds: string[] = [];
  let publisher: MqttClient;
  let n = 0;

  const member = (name: string, sink: RecordingSink): MqttSource => {
    const prefix = `${ns.id}-v${protocolVersion}-${name}`;
    clientIds.push(`${prefix}-0`);
    return createMqttSource(
      {
        id: name,
        tenant: 't1',
        url,
        clientIdPrefix: prefix,
        protocolVersion,
        clean: false,
        shareGroup: group,
        topics: [{ filter, qos: 1 }],
      },
      sink.sink,
    );
  };
  const publish = async (count: number): Promise<string[]> => {
    const sent: string[] = [];
    for (let i = 0; i < count; i++) {
      const payload = `m${++n}`;
      sent.push(payload);
      await publisher.publishAsync(`${ns.topicPrefix}v${protocolVersion}/d`, payload, { qos: 1 });
    }
    return sent;
  };

  beforeAll(async () => {
    publisher = await connectPublisher(url);
  });
  afterAll(async () => {
    await publisher?.endAsync();
    await forgetSessions(url, clientIds);
  });

  it("hands a retired member's share to the others with nothing lost; a stopped one keeps taking its share", async () => {
    const [a, b, c] = [new RecordingSink(), new RecordingSink(), new RecordingSink()];
    const stay = member('stay', a);
    const leave = member('leave', b);
    const away = member('away', c);
    await Promise.all([stay.start(), leave.start(), away.start()]);

    // three members share the flow
    const first = await publish(90);
    await eventually(() =>
      expect([...a.payloads(), ...b.payloads(), ...c.payloads()].sort()).toEqual([...first].sort()),
    );
    expect(b.payloads().length).toBeGreaterThan(0);

    // 'away' stops (keeps its session) and 'leave' retires while messages are being published
    await away.stop();
    const awayBefore = c.payloads().length;
    const during = publish(60);
    await leave.retire();
    const retiredAt = b.payloads().length;
    const second = await during;
    const third = await publish(90);

    // 'away' comes back and gets what was queued for it: nothing was lost, and nothing went twice
    const all = [...first, ...second, ...third];
    const seen = () => [...a.payloads(), ...b.payloads(), ...c.payloads()];
    const back = member('away', c);
    await back.start();
    await eventually(() => expect([...seen()].sort()).toEqual([...all].sort()));
    expect(new Set(seen()).size).toBe(seen().length);
    // the broker went on handing the stopped member its share while it was away ...
    expect(c.payloads().slice(awayBefore).length).toBeGreaterThan(0);
    // ... but nothing to the retired one once it had left
    expect(b.payloads()).toHaveLength(retiredAt);
    expect(third.filter((p) => b.payloads().includes(p))).toEqual([]);

    // now 'away' retires too: from here on 'stay' gets every message
    await back.retire();
    const last = await publish(60);
    await eventually(() => expect(last.every((p) => a.payloads().includes(p))).toBe(true));
    await stay.stop();
  });
});
