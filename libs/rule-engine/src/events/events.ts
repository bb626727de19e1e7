import { topicMatches } from '../topic-filter/topic-filter';

/**
 * EMQX's rule events (emqx_rule_events.erl: event_topics_enum, event_name, columns_with_exam): the
 * `$events/...` topic a rule selects from, the event name in the `event` column, and the columns
 * an event context carries, with EMQX's example values (what its rule test fills in for columns
 * the test context leaves out).
 */
export interface RuleEvent {
  /** The event name, as the `event` column gives it: `client.connected`. */
  readonly name: string;
  /** The 5.x topic: `$events/client/connected`. */
  readonly topic: string;
  /** The 4.x topic EMQX still accepts: `$events/client_connected`. */
  readonly legacyTopic?: string;
  /** Columns and example values, in EMQX's order (`event` first). */
  readonly example: (now: number) => Record<string, unknown>;
}

const userProps = {
  'User-Property': { foo: 'bar' },
  'User-Property-Pairs': [{ key: 'foo' }, { value: 'bar' }],
};
const pubProps = { 'Payload-Format-Indicator': 0, 'Message-Expiry-Interval': 30, ...userProps };
const connProps = { 'Session-Expiry-Interval': 7200, 'Receive-Maximum': 32, ...userProps };
const clientAttrs = { test: 'example' };
const NODE = 'sluice@127.0.0.1';
const exampleId = (): string => '0006231BF2E6A3F1F4420000077A0002';

const message = (name: string, now: number) => ({
  event: name,
  id: exampleId(),
  clientid: 'c_emqx',
  username: 'u_emqx',
  payload: '{"msg": "hello"}',
  peerhost: '192.168.0.10',
  peername: '192.168.0.10:32781',
  topic: 't/a',
  qos: 1,
  flags: {},
  publish_received_at: now,
  pub_props: pubProps,
  timestamp: now,
  node: NODE,
});

const ackDelivered = (name: string, now: number) => ({
  event: name,
  id: exampleId(),
  from_clientid: 'c_emqx_1',
  from_username: 'u_emqx_1',
  clientid: 'c_emqx_2',
  username: 'u_emqx_2',
  payload: '{"msg": "hello"}',
  peerhost: '192.168.0.10',
  peername: '192.168.0.10:32781',
  topic: 't/a',
  qos: 1,
  flags: {},
  publish_received_at: now,
  pub_props: pubProps,
  timestamp: now,
  node: NODE,
});

const subUnsub = (name: string, props: string, now: number) => ({
  [props]: { ...userProps },
  client_attrs: clientAttrs,
  event: name,
  clientid: 'c_emqx',
  username: 'u_emqx',
  peerhost: '192.168.0.10',
  peername: '192.168.0.10:32781',
  topic: 't/a',
  qos: 1,
  timestamp: now,
  node: NODE,
});

const connection = (name: string) => ({
  event: name,
  clientid: 'c_emqx',
  username: 'u_emqx',
  peername: '192.168.0.10:56431',
  sockname: '0.0.0.0:1883',
  proto_name: 'MQTT',
  proto_ver: 5,
  keepalive: 60,
  clean_start: true,
  expiry_interval: 3600,
});

export const RULE_EVENTS: readonly RuleEvent[] = [
  {
    name: 'client.connected',
    topic: '$events/client/connected',
    legacyTopic: '$events/client_connected',
    example: (now) => ({
      ...connection('client.connected'),
      is_bridge: false,
      conn_props: connProps,
      connected_at: now,
      timestamp: now,
      node: NODE,
      client_attrs: clientAttrs,
    }),
  },
  {
    name: 'client.disconnected',
    topic: '$events/client/disconnected',
    legacyTopic: '$events/client_disconnected',
    example: (now) => ({
      event: 'client.disconnected',
      reason: 'normal',
      clientid: 'c_emqx',
      username: 'u_emqx',
      peername: '192.168.0.10:56431',
      sockname: '0.0.0.0:1883',
      proto_name: 'MQTT',
      proto_ver: 5,
      disconn_props: {
        'Session-Expiry-Interval': 7200,
        'Reason-String': 'Redirect to another server',
        'Server Reference': '192.168.22.129',
        ...userProps,
      },
      connected_at: now,
      disconnected_at: now,
      timestamp: now,
      node: NODE,
      client_attrs: clientAttrs,
    }),
  },
  {
    name: 'client.connack',
    topic: '$events/client/connack',
    legacyTopic: '$events/client_connack',
    example: (now) => {
      const { event, ...rest } = connection('client.connack');
      return {
        event,
        reason_code: 'success',
        ...rest,
        connected_at: now,
        conn_props: connProps,
        timestamp: now,
        node: NODE,
      };
    },
  },
  {
    name: 'client.ping',
    topic: '$events/client/ping',
    example: (now) => ({
      ...connection('client.ping'),
      connected_at: now,
      conn_props: connProps,
      timestamp: now,
      node: NODE,
    }),
  },
  {
    name: 'client.check_authz_complete',
    topic: '$events/auth/check_authz_complete',
    legacyTopic: '$events/client_check_authz_complete',
    example: (now) => ({
      event: 'client.check_authz_complete',
      clientid: 'c_emqx',
      username: 'u_emqx',
      peerhost: '192.168.0.10',
      peername: '192.168.0.10:32781',
      topic: 't/a',
      action: 'publish',
      authz_source: 'cache',
      result: 'allow',
      timestamp: now,
      node: NODE,
      client_attrs: clientAttrs,
    }),
  },
  {
    name: 'client.check_authn_complete',
    topic: '$events/auth/check_authn_complete',
    legacyTopic: '$events/client_check_authn_complete',
    example: (now) => ({
      event: 'client.check_authn_complete',
      clientid: 'c_emqx',
      username: 'u_emqx',
      peername: '192.168.0.10:56431',
      reason_code: 'success',
      is_superuser: true,
      is_anonymous: false,
      timestamp: now,
      node: NODE,
      client_attrs: clientAttrs,
    }),
  },
  {
    name: 'session.subscribed',
    topic: '$events/session/subscribed',
    legacyTopic: '$events/session_subscribed',
    example: (now) => subUnsub('session.subscribed', 'sub_props', now),
  },
  {
    name: 'session.unsubscribed',
    topic: '$events/session/unsubscribed',
    legacyTopic: '$events/session_unsubscribed',
    example: (now) => subUnsub('session.unsubscribed', 'unsub_props', now),
  },
  {
    name: 'message.delivered',
    topic: '$events/message/delivered',
    legacyTopic: '$events/message_delivered',
    example: (now) => ackDelivered('message.delivered', now),
  },
  {
    name: 'message.acked',
    topic: '$events/message/acked',
    legacyTopic: '$events/message_acked',
    example: (now) => ({
      puback_props: { 'Reason-String': 'OK', ...userProps },
      ...ackDelivered('message.acked', now),
    }),
  },
  {
    name: 'message.dropped',
    topic: '$events/message/dropped',
    legacyTopic: '$events/message_dropped',
    example: (now) => {
      const { event, id, ...rest } = message('message.dropped', now);
      return { event, id, reason: 'no_subscribers', ...rest };
    },
  },
  {
    name: 'delivery.dropped',
    topic: '$events/message/delivery_dropped',
    legacyTopic: '$events/delivery_dropped',
    example: (now) => {
      const { event, id, publish_received_at, pub_props, ...rest } = ackDelivered('delivery.dropped', now);
      return { event, id, reason: 'queue_full', ...rest, pub_props, publish_received_at };
    },
  },
  {
    name: 'message.transformation_failed',
    topic: '$events/message_transformation/failed',
    legacyTopic: '$events/message_transformation_failed',
    example: (now) => {
      const {
        event,
        peerhost: _peerhost,
        peername: _peername,
        ...rest
      } = message('message.transformation_failed', now);
      return { event, validation: 'my_transformation', ...rest, peername: '192.168.0.10:56431' };
    },
  },
  {
    name: 'schema.validation_failed',
    topic: '$events/schema_validation/failed',
    legacyTopic: '$events/schema_validation_failed',
    example: (now) => {
      const { event, ...rest } = message('schema.validation_failed', now);
      return { event, validation: 'my_validation', ...rest };
    },
  },
  {
    name: 'alarm.activated',
    topic: '$events/sys/alarm_activated',
    example: () => ({
      event: 'alarm.activated',
      name: 'alarm_name',
      details: { extra: 'details' },
      message: 'something is wrong',
      activated_at: 1736512728666,
    }),
  },
  {
    name: 'alarm.deactivated',
    topic: '$events/sys/alarm_deactivated',
    example: () => ({
      event: 'alarm.deactivated',
      name: 'alarm_name',
      details: { extra: 'details' },
      message: 'something is wrong',
      activated_at: 1736512728666,
      deactivated_at: 1736512728999,
    }),
  },
];

/** The `message.publish` example columns (EMQX's rule test fills them in for a message too). */
export const publishExample = (now: number): Record<string, unknown> => ({
  ...message('message.publish', now),
  client_attrs: clientAttrs,
});

const byName = new Map(RULE_EVENTS.map((e) => [e.name, e]));
const byTopic = new Map<string, RuleEvent>();
for (const e of RULE_EVENTS) {
  byTopic.set(e.topic, e);
  if (e.legacyTopic) byTopic.set(e.legacyTopic, e);
}

export function isEventFilter(filter: string): boolean {
  return filter.startsWith('$events/');
}

/** The event of a `$events/...` topic (5.x or legacy), if any. */
export function eventOfTopic(topic: string): RuleEvent | undefined {
  return byTopic.get(topic);
}

export function eventByName(name: string): RuleEvent | undefined {
  return byName.get(name);
}

/**
 * The events a `$events/...` filter selects (wildcards too: `$events/client/+`), matched, as EMQX
 * does, against every 5.x and legacy event topic.
 */
export function eventsOfFilter(filter: string): RuleEvent[] {
  const found = new Set<RuleEvent>();
  for (const [topic, event] of byTopic) if (topicMatches(topic, filter)) found.add(event);
  return [...found];
}

/**
 * The topics a FROM filter is routed by: the filter itself, plus the 5.x topic of each event it
 * selects (EMQX loads the hook of every event a filter matches, so `$events/client_connected` and
 * `$events/+` fire on `client.connected`, whose topic is `$events/client/connected`).
 */
export function routingTopics(filter: string): string[] {
  if (!isEventFilter(filter)) return [filter];
  return [...new Set([filter, ...eventsOfFilter(filter).map((e) => e.topic)])];
}
