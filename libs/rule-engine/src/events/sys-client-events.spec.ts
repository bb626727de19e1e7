import { compileRule } from '../compiler/compile-rule';
import { isSysClientEvent, sysClientEventContext, sysClientEventTopic } from './sys-client-events';

// Payloads as emqx_sys.erl on_client_connected/on_client_disconnected publish them (common_infos plus
// the event's own keys); columns as emqx_rule_events.erl gives client.connected / client.disconnected.
const connectedPayload = JSON.stringify({
  clientid: 'c1',
  username: 'u1',
  ipaddress: '10.0.0.7',
  sockport: 1883,
  protocol: 'mqtt',
  proto_name: 'MQTT',
  proto_ver: 5,
  connected_at: 1700000000000,
  ts: 1700000000001,
  conn_props: {},
  receive_maximum: 32,
  keepalive: 60,
  clean_start: true,
  expiry_interval: 0,
  client_attrs: {},
});

describe('EMQX $SYS client messages as events', () => {
  it('map the topic and take the clientid from it', () => {
    expect(sysClientEventTopic('$SYS/brokers/emqx@n1/clients/c 1/connected')).toEqual({
      topic: '$events/client/connected',
      clientid: 'c 1',
    });
    expect(sysClientEventTopic('$SYS/brokers/emqx@n1/clients/c1/disconnected')?.topic).toBe(
      '$events/client/disconnected',
    );
    expect(sysClientEventTopic('$SYS/brokers/emqx@n1/clients/c1/subscribed')).toBeUndefined();
    expect(sysClientEventTopic('$SYS/brokers/emqx@n1/uptime')).toBeUndefined();
    expect(isSysClientEvent('$events/client/connected')).toBe(true);
    expect(isSysClientEvent('sensors/1')).toBe(false);
  });

  it('give client.connected its EMQX columns', () => {
    const ctx = sysClientEventContext({
      topic: '$events/client/connected',
      clientid: 'c1',
      payload: connectedPayload,
      node: 'sluice@h',
      timestamp: 5,
    });
    expect(ctx).toEqual({
      event: 'client.connected',
      clientid: 'c1',
      username: 'u1',
      peername: '10.0.0.7',
      proto_name: 'MQTT',
      proto_ver: 5,
      connected_at: 1700000000000,
      client_attrs: {},
      timestamp: 1700000000001,
      node: 'sluice@h',
      keepalive: 60,
      clean_start: true,
      expiry_interval: 0,
      conn_props: {},
    });
    const rule = compileRule('SELECT clientid, username, event, keepalive FROM "$events/client/+"');
    expect(rule.evaluate(ctx)).toEqual({
      matched: true,
      outputs: [{ clientid: 'c1', username: 'u1', event: 'client.connected', keepalive: 60 }],
    });
  });

  it('give client.disconnected its reason and times', () => {
    const payload = JSON.stringify({
      clientid: 'c1',
      username: 'u1',
      reason: 'normal',
      disconnected_at: 9,
      ts: 10,
    });
    const ctx = sysClientEventContext({ topic: '$events/client/disconnected', clientid: 'c1', payload });
    expect(ctx).toMatchObject({
      event: 'client.disconnected',
      reason: 'normal',
      disconnected_at: 9,
      timestamp: 10,
    });
    const rule = compileRule('SELECT reason FROM "$events/client_disconnected" WHERE reason = \'normal\'');
    expect(rule.evaluate(ctx)).toEqual({ matched: true, outputs: [{ reason: 'normal' }] });
  });

  it('keep the clientid of the topic when the payload is not a JSON object', () => {
    for (const payload of ['not json', '[1]', undefined]) {
      expect(
        sysClientEventContext({ topic: '$events/client/connected', clientid: 'c9', payload, timestamp: 3 }),
      ).toEqual({ event: 'client.connected', clientid: 'c9', timestamp: 3 });
    }
  });
});
