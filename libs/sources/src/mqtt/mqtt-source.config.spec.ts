import { parseMqttSourceConfig, SourceConfigError } from '@sluice/sources';

const valid = { id: 's1', tenant: 't1', url: 'mqtt://127.0.0.1:1883', topics: [{ filter: 'a/#' }] };

function problems(input: unknown): string[] {
  try {
    parseMqttSourceConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(SourceConfigError);
    expect((error as SourceConfigError).code).toBe('SOURCE_CONFIG_INVALID');
    return (error as SourceConfigError).problems.map((p) => `${p.field}: ${p.problem}`);
  }
  throw new Error('expected the configuration to be rejected');
}

describe('MQTT source configuration', () => {
  it('applies the defaults', () => {
    expect(parseMqttSourceConfig(valid)).toMatchObject({
      protocolVersion: 5,
      clean: false,
      sessionExpiryInterval: 7200,
      keepalive: 30,
      shareGroup: 'sluice',
      connections: 1,
      maxInFlight: 256,
      topics: [{ filter: 'a/#', qos: 1 }],
    });
  });

  it.each(['mqtt://h:1883', 'mqtts://h', 'ws://h:8083/mqtt', 'wss://h/mqtt'])('accepts the URL %s', (url) => {
    expect(parseMqttSourceConfig({ ...valid, url }).url).toBe(url);
  });

  it('names the field of each problem', () => {
    expect(
      problems({
        ...valid,
        url: 'http://h',
        protocolVersion: 6,
        connections: 0,
        maxInFlight: 1.5,
        shareGroup: 'a/b',
        topics: [{ filter: 'a/#/b', qos: 3 }],
      }),
    ).toEqual([
      'url: expected mqtt://, mqtts://, ws:// or wss://, got http://',
      'protocolVersion: expected 3, 4 or 5',
      "topics.0.filter: '#' must be the last level and stand alone",
      'topics.0.qos: expected 0, 1 or 2',
      'shareGroup: expected a name without "/", "+" or "#"',
      'connections: expected at least 1',
      'maxInFlight: expected an integer',
    ]);
  });

  it('rejects missing fields, unknown fields and an empty topic list', () => {
    expect(problems({ url: 'mqtt://h', topics: [], colour: 'red' })).toEqual([
      'id: Invalid input: expected string, received undefined',
      'tenant: Invalid input: expected string, received undefined',
      'topics: expected at least one topic',
      '(root): unknown field(s) colour',
    ]);
  });

  it('rejects a $share filter, a mixed + level and a bad topic pattern', () => {
    expect(
      problems({
        ...valid,
        topics: [{ filter: '$share/g/a' }, { filter: 'a/b+' }],
        topicPattern: 'devices/{deviceid}/x',
      }),
    ).toEqual([
      'topics.0.filter: give the plain filter; the share group is set with shareGroup',
      "topics.1.filter: '+' must stand alone in its level",
      'topicPattern: unknown field {deviceid}; expected {clientid} or {username}',
    ]);
  });

  it('needs a session expiry for a persistent MQTT 5 session', () => {
    expect(problems({ ...valid, sessionExpiryInterval: 0 })).toEqual([
      'sessionExpiryInterval: a persistent session (clean: false) with MQTT 5 needs a session expiry above 0',
    ]);
    expect(parseMqttSourceConfig({ ...valid, clean: true, sessionExpiryInterval: 0 }).clean).toBe(true);
  });

  it('accepts null and false as "no share group"', () => {
    expect(parseMqttSourceConfig({ ...valid, shareGroup: null }).shareGroup).toBeNull();
    expect(parseMqttSourceConfig({ ...valid, shareGroup: false }).shareGroup).toBe(false);
  });

  it("takes clientEvents 'emqx', and refuses it beside a mountpoint (the broker's $SYS is every tenant's)", () => {
    expect(parseMqttSourceConfig({ ...valid, clientEvents: 'emqx' }).clientEvents).toBe('emqx');
    expect(() => parseMqttSourceConfig({ ...valid, clientEvents: 'mosquitto' })).toThrow(/clientEvents/);
    expect(() => parseMqttSourceConfig({ ...valid, clientEvents: 'emqx', mountpoint: 'acme/' })).toThrow(
      /mountpoint cannot map/,
    );
  });
});
