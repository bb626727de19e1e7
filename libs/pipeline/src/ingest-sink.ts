import { encodeIngestEnvelope, type Bus, type Subjects } from '@sluice/bus';
import type { IngestedMessage, MessageSink } from '@sluice/sources';
import type { SluiceMetrics } from '@sluice/telemetry';

/**
 * The ingest step's sink: stores each message from a source in the INGEST stream under its stable
 * id. It resolves only once the stream has it, which is when the source may acknowledge the broker.
 */
export function createIngestSink(
  bus: Bus,
  subjects: Subjects,
  tenant: string,
  source: string,
  metrics?: SluiceMetrics,
): MessageSink {
  const subject = subjects.ingest(tenant, source);
  const labels = { tenant, source };
  return async (message: IngestedMessage) => {
    const props = message.properties;
    const data = encodeIngestEnvelope({
      id: message.id,
      tenant,
      source,
      topic: message.topic,
      payload: message.payload,
      qos: message.qos,
      retain: message.retain,
      clientid: message.clientid ?? '',
      username: message.username ?? '',
      peerhost: '',
      receivedAt: message.receivedAt,
      payloadFormatIndicator: props?.payloadFormatIndicator,
      messageExpiryInterval: props?.messageExpiryInterval,
      contentType: props?.contentType,
      responseTopic: props?.responseTopic,
      correlationData: props?.correlationData,
      userProperties: (props?.userProperties ?? []).map(([key, value]) => ({ key, value })),
      trace: {},
    });
    metrics?.sourceReceived.inc({ ...labels, qos: String(message.qos) });
    try {
      await bus.publish(subject, data, { msgId: message.id });
    } catch (error) {
      metrics?.sourceStoreFailures.inc(labels);
      throw error;
    }
    metrics?.sourceStored.inc(labels);
  };
}
