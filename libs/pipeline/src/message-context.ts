import { hostname } from 'node:os';
import type { IngestEnvelope } from '@sluice/bus';
import { isSysClientEvent, sysClientEventContext, type RuleContext } from '@sluice/rule-engine';

const node = `sluice@${hostname()}`;

/** The rule engine's view of an ingested message, under EMQX's field names. */
export function toRuleContext(envelope: IngestEnvelope): RuleContext {
  const userProperties: Record<string, string> = {};
  for (const { key, value } of envelope.userProperties ?? []) userProperties[key] = value;
  const pubProps: Record<string, unknown> = { 'User-Property': userProperties };
  if (envelope.contentType) pubProps['Content-Type'] = envelope.contentType;
  if (envelope.responseTopic) pubProps['Response-Topic'] = envelope.responseTopic;
  if (envelope.correlationData?.length)
    pubProps['Correlation-Data'] = Buffer.from(envelope.correlationData).toString();
  if (envelope.messageExpiryInterval) pubProps['Message-Expiry-Interval'] = envelope.messageExpiryInterval;
  if (envelope.payloadFormatIndicator !== undefined) {
    pubProps['Payload-Format-Indicator'] = envelope.payloadFormatIndicator ? 1 : 0;
  }
  const context: RuleContext = {
    id: envelope.id,
    topic: envelope.topic,
    // why a view: Buffer.from(Uint8Array) copies the payload first
    payload: Buffer.from(
      envelope.payload.buffer,
      envelope.payload.byteOffset,
      envelope.payload.byteLength,
    ).toString('utf8'),
    qos: envelope.qos,
    retain: envelope.retain,
    flags: { retain: envelope.retain, dup: false },
    clientid: envelope.clientid || undefined,
    username: envelope.username || undefined,
    peerhost: envelope.peerhost || undefined,
    timestamp: envelope.receivedAt,
    publish_received_at: envelope.receivedAt,
    node,
    pub_props: pubProps,
    source: envelope.source,
    tenant: envelope.tenant,
  };
  // a source with clientEvents: 'emqx' turned EMQX's $SYS client message into this event
  return isSysClientEvent(envelope.topic) ? sysClientEventContext(context) : context;
}
