import { parseJson } from '../numbers/json-numbers';
import type { RuleContext } from '../types';

/**
 * EMQX's client lifecycle messages: `$SYS/brokers/<node>/clients/<clientid>/connected|disconnected`
 * (emqx_sys.erl event_topic/2, published when `sys_topics.sys_event_messages` enables them).
 */
const SYS_CLIENT_TOPIC = /^\$SYS\/brokers\/([^/]+)\/clients\/([^/]+)\/(connected|disconnected)$/;

/** The subscriptions that bring them, for a source that maps them to events. */
export const EMQX_SYS_CLIENT_FILTERS = [
  '$SYS/brokers/+/clients/+/connected',
  '$SYS/brokers/+/clients/+/disconnected',
] as const;

/**
 * The `$events/...` topic and clientid an EMQX `$SYS` client message stands for, or undefined.
 * @example sysClientEventTopic('$SYS/brokers/emqx@n1/clients/c1/connected') // { topic: '$events/client/connected', clientid: 'c1' }
 */
export function sysClientEventTopic(topic: string): { topic: string; clientid: string } | undefined {
  const match = SYS_CLIENT_TOPIC.exec(topic);
  if (!match) return undefined;
  return { topic: `$events/client/${match[3]}`, clientid: match[2] as string };
}

const CONNECTED = '$events/client/connected';
const DISCONNECTED = '$events/client/disconnected';

/** Whether a message topic is an event a source mapped from `$SYS` (its payload is EMQX's `$SYS` JSON). */
export function isSysClientEvent(topic: string | undefined): boolean {
  return topic === CONNECTED || topic === DISCONNECTED;
}

/**
 * The rule context of a `client.connected` / `client.disconnected` event from the `$SYS` message's JSON
 * (emqx_sys.erl on_client_connected/on_client_disconnected and common_infos), under the columns EMQX's
 * rule engine gives the event (emqx_rule_events.erl). `$SYS` has no `sockname`, `mountpoint` or
 * `is_bridge`, so those are left out; `peername` is the client's address without its port (`ipaddress`).
 * A payload that is not a JSON object gives the columns the topic and context carry.
 *
 * @example sysClientEventContext({ topic: '$events/client/connected', clientid: 'c1', payload: '{"username":"u","ts":1}' })
 */
export function sysClientEventContext(base: RuleContext): RuleContext {
  const connected = base.topic === CONNECTED;
  let info: Record<string, unknown> = {};
  try {
    const decoded = typeof base.payload === 'string' ? parseJson(base.payload) : undefined;
    if (typeof decoded === 'object' && decoded !== null && !Array.isArray(decoded))
      info = decoded as Record<string, unknown>;
  } catch {
    // a malformed $SYS payload still gives an event with the columns the topic carries
  }
  const common: Record<string, unknown> = {
    event: connected ? 'client.connected' : 'client.disconnected',
    clientid: info['clientid'] ?? base.clientid,
    username: info['username'],
    peername: info['ipaddress'],
    proto_name: info['proto_name'],
    proto_ver: info['proto_ver'],
    connected_at: info['connected_at'],
    client_attrs: info['client_attrs'],
    timestamp: info['ts'] ?? base.timestamp,
    node: base.node,
    source: base.source,
    tenant: base.tenant,
  };
  const specific: Record<string, unknown> = connected
    ? {
        keepalive: info['keepalive'],
        clean_start: info['clean_start'],
        expiry_interval: info['expiry_interval'],
        conn_props: info['conn_props'],
      }
    : {
        reason: info['reason'],
        disconn_props: info['disconn_props'],
        disconnected_at: info['disconnected_at'],
      };
  const context: Record<string, unknown> = {};
  for (const [key, value] of Object.entries({ ...common, ...specific }))
    if (value !== undefined) context[key] = value;
  return context;
}
