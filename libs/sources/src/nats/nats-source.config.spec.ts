import { parseNatsSourceConfig } from '../index';

const base = { id: 'n', tenant: 't', servers: ['nats://127.0.0.1:4222'], subjects: ['a.b'] };
const problems = (input: Record<string, unknown>) => {
  try {
    parseNatsSourceConfig({ ...base, ...input });
  } catch (error) {
    return (error as { problems: { field: string; problem: string }[] }).problems.map(
      (p) => `${p.field}: ${p.problem}`,
    );
  }
  return [];
};

describe('NATS source configuration', () => {
  it('applies the defaults', () => {
    expect(parseNatsSourceConfig(base)).toMatchObject({
      topicMapping: 'slashes',
      topicPrefix: '',
      maxInFlight: 1000,
    });
    expect(parseNatsSourceConfig({ ...base, jetstream: { stream: 'S', durable: 'd' } }).jetstream).toEqual({
      stream: 'S',
      durable: 'd',
      create: true,
      deliverPolicy: 'all',
      ackWaitMs: 30_000,
    });
  });

  it('checks subject syntax', () => {
    expect(problems({ subjects: ['a..b', 'a.b*', 'ok.>'] })).toEqual([
      'subjects.0: empty token or whitespace',
      "subjects.1: '*' must stand alone in its token",
    ]);
  });

  it('refuses a queue group with JetStream and MQTT wildcards in the prefix', () => {
    expect(
      problems({ queueGroup: 'q', jetstream: { stream: 'S', durable: 'd' }, topicPrefix: 'x/#/' }),
    ).toEqual([
      "topicPrefix: an MQTT topic cannot contain '+' or '#'",
      'queueGroup: a queue group is for core NATS; JetStream consumers share by their durable name',
    ]);
  });

  it('refuses a stream name with a dot and an unknown field', () => {
    expect(problems({ jetstream: { stream: 'a.b', durable: 'd' }, bogus: 1 })).toEqual([
      'jetstream.stream: expected a stream name without ".", "*", ">" or spaces',
      '(root): unknown field(s) bogus',
    ]);
  });

  it('names a server URL that does not parse without its password', () => {
    const [problem] = problems({ servers: ['nats://app:s3cret@host:port'] });
    expect(problem).toBe('servers.0: not a URL: "nats://app:***@host:port"');
  });
});
