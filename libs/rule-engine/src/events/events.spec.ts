import { compileRule, testRule, TopicFilterIndex } from '../index';

// Event rules as EMQX defines them: topics and names from emqx/emqx
// apps/emqx_rule_engine/src/emqx_rule_events.erl (event_topics_enum/0, event_name/1,
// expand_legacy_event_topics/1, columns_with_exam/1), rule testing from emqx_rule_sqltester.erl
// (get_in_topic/1, fill_default_values/2) and event_type from emqx_rule_api_schema.erl.

const NOW = 1_700_000_000_000;
const test = (sql: string, context: Record<string, unknown>) => testRule(sql, context, () => NOW);

describe('event rules', () => {
  it.each([
    ['$events/client/connected', ['client.connected']],
    ['$events/client_connected', ['client.connected']],
    ['$events/client/disconnected', ['client.disconnected']],
    ['$events/client/connack', ['client.connack']],
    ['$events/client/ping', ['client.ping']],
    ['$events/auth/check_authn_complete', ['client.check_authn_complete']],
    ['$events/client_check_authz_complete', ['client.check_authz_complete']],
    ['$events/session/subscribed', ['session.subscribed']],
    ['$events/session_unsubscribed', ['session.unsubscribed']],
    ['$events/message/delivered', ['message.delivered']],
    ['$events/message_acked', ['message.acked']],
    ['$events/message/dropped', ['message.dropped']],
    ['$events/message/delivery_dropped', ['delivery.dropped']],
    ['$events/delivery_dropped', ['delivery.dropped']],
    ['$events/schema_validation/failed', ['schema.validation_failed']],
    ['$events/message_transformation_failed', ['message.transformation_failed']],
    ['$events/sys/alarm_activated', ['alarm.activated']],
    ['$events/sys/+', ['alarm.activated', 'alarm.deactivated']],
    ['$events/client/+', ['client.connected', 'client.disconnected', 'client.connack', 'client.ping']],
    ['$events/message/+', ['message.delivered', 'message.acked', 'message.dropped', 'delivery.dropped']],
  ])('FROM "%s" compiles and selects %j', (topic, events) => {
    const rule = compileRule(`SELECT * FROM "${topic}"`);
    expect([...rule.events].sort()).toEqual([...events].sort());
  });

  it('routes a legacy or wildcard event filter by the 5.x event topic too', () => {
    expect(compileRule('SELECT * FROM "$events/client_connected"').topics).toEqual([
      '$events/client_connected',
      '$events/client/connected',
    ]);
    // routed as the rules step routes: each of a rule's topics in one TopicFilterIndex
    const index = new TopicFilterIndex<string>();
    const add = (id: string, sql: string) => {
      for (const topic of compileRule(sql).topics) index.add(topic, id);
    };
    add('legacy', 'SELECT clientid FROM "$events/client_connected"');
    add('wild', 'SELECT clientid FROM "$events/#"');
    add('msg', 'SELECT clientid FROM "t/#", "$events/session/subscribed"');
    const ids = (topic: string) => [...index.match(topic)].sort();
    expect(ids('$events/client/connected')).toEqual(['legacy', 'wild']);
    expect(ids('$events/session/subscribed')).toEqual(['msg', 'wild']);
    expect(ids('t/1')).toEqual(['msg']);
  });

  it('mixes events with topics; a message still has event message.publish', () => {
    const rule = compileRule('SELECT event, clientid FROM "t/#", "$events/client/connected"');
    expect(rule.events).toEqual(['client.connected']);
    expect(rule.evaluate({ topic: 't/1', clientid: 'a' })).toEqual({
      matched: true,
      outputs: [{ event: 'message.publish', clientid: 'a' }],
    });
    expect(rule.evaluate({ event: 'client.connected', clientid: 'b' })).toEqual({
      matched: true,
      outputs: [{ event: 'client.connected', clientid: 'b' }],
    });
  });

  describe('rule test contexts (emqx_rule_sqltester)', () => {
    it('takes the event from event_type and fills the columns the context leaves out with EMQX examples', () => {
      expect(
        test(
          'SELECT event, clientid, username, proto_ver, keepalive, conn_props FROM "$events/client/connected"',
          {
            event_type: 'client_connected',
            clientid: 'dev-1',
          },
        ),
      ).toEqual({
        matched: true,
        outputs: [
          {
            event: 'client.connected',
            clientid: 'dev-1',
            username: 'u_emqx',
            proto_ver: 5,
            keepalive: 60,
            conn_props: {
              'Session-Expiry-Interval': 7200,
              'Receive-Maximum': 32,
              'User-Property': { foo: 'bar' },
              'User-Property-Pairs': [{ key: 'foo' }, { value: 'bar' }],
            },
          },
        ],
      });
    });

    it('matches a legacy FROM with a 5.x event, as expand_legacy_event_topics does', () => {
      expect(
        test('SELECT reason FROM "$events/client_disconnected"', { event_type: 'client_disconnected' }),
      ).toEqual({ matched: true, outputs: [{ reason: 'normal' }] });
    });

    it('is no match when the event is not selected by FROM', () => {
      expect(test('SELECT * FROM "$events/client/connected"', { event_type: 'client_disconnected' })).toEqual(
        {
          matched: false,
          outputs: [],
        },
      );
      expect(test('SELECT * FROM "$events/client/connected"', { topic: 't/1' })).toEqual({
        matched: false,
        outputs: [],
      });
    });

    it('the event column and WHERE on event columns', () => {
      const sql =
        'SELECT clientid, reason FROM "$events/message_dropped", "$events/message/delivery_dropped" ' +
        "WHERE reason = 'queue_full'";
      expect(test(sql, { event_type: 'delivery_dropped', clientid: 'c1' })).toEqual({
        matched: true,
        outputs: [{ clientid: 'c1', reason: 'queue_full' }],
      });
      expect(test(sql, { event_type: 'message_dropped', clientid: 'c1' })).toEqual({
        matched: false,
        outputs: [],
      });
    });

    it('message.delivered: from_clientid, the topic column is the message topic, payload paths', () => {
      expect(
        test('SELECT from_clientid, clientid, topic, payload.msg AS msg FROM "$events/message/delivered"', {
          event_type: 'message_delivered',
          topic: 'x/y',
        }),
      ).toEqual({
        matched: true,
        outputs: [{ from_clientid: 'c_emqx_1', clientid: 'c_emqx_2', topic: 'x/y', msg: 'hello' }],
      });
    });

    it('alarms and authz', () => {
      expect(test('SELECT name, details.extra AS e FROM "$events/sys/alarm_activated"', {})).toEqual({
        matched: true,
        outputs: [{ name: 'alarm_name', e: 'details' }],
      });
      expect(
        test('SELECT action, result FROM "$events/auth/check_authz_complete"', {
          event: 'client.check_authz_complete',
          result: 'deny',
        }),
      ).toEqual({ matched: true, outputs: [{ action: 'publish', result: 'deny' }] });
    });

    it('SELECT * on an event gives every column of the event', () => {
      const result = test('SELECT * FROM "$events/session/subscribed"', { event_type: 'session_subscribed' });
      if (!('outputs' in result)) throw new Error(JSON.stringify(result));
      expect(Object.keys(result.outputs[0]!).sort()).toEqual(
        [
          'event',
          'clientid',
          'username',
          'peerhost',
          'peername',
          'topic',
          'qos',
          'timestamp',
          'node',
          'sub_props',
          'client_attrs',
        ].sort(),
      );
      expect(result.outputs[0]!['timestamp']).toBe(NOW);
    });
  });
});
