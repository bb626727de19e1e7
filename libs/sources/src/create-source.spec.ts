import { createSource, SourceConfigError } from './index';

const sink = () => Promise.resolve();

describe('createSource', () => {
  it('builds the kind it is asked for, MQTT when no kind is given', () => {
    expect(
      createSource({ id: 's', tenant: 't', url: 'mqtt://127.0.0.1:1883', topics: [{ filter: 'a/#' }] }, sink)
        .kind,
    ).toBe('mqtt');
    expect(
      createSource({ kind: 'kafka', id: 's', tenant: 't', brokers: ['127.0.0.1:9092'], topics: ['a'] }, sink)
        .kind,
    ).toBe('kafka');
    expect(
      createSource(
        { kind: 'nats', id: 's', tenant: 't', servers: ['nats://127.0.0.1:4222'], subjects: ['a.>'] },
        sink,
      ).kind,
    ).toBe('nats');
  });

  it("validates with the kind's own schema", () => {
    expect(() =>
      createSource({ kind: 'nats', id: 's', tenant: 't', servers: ['http://x'], subjects: ['a.>.b'] }, sink),
    ).toThrow(
      "Invalid source configuration: servers.0: expected nats:// or tls://, got http://; subjects.0: '>' must be the last token and stand alone",
    );
  });

  it('refuses an unknown kind', () => {
    const unknownKind = { kind: 'amqp', id: 's', tenant: 't' } as unknown as Parameters<
      typeof createSource
    >[0];
    expect(() => createSource(unknownKind, sink)).toThrow(SourceConfigError);
    expect(() => createSource(unknownKind, sink)).toThrow('kind: expected mqtt, kafka or nats, got "amqp"');
  });
});
