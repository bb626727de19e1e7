import { encodeIngestEnvelope, type Bus, type Subjects } from '@sluice/bus';
import type { IngestedMessage, MessageSink } from '@sluice/sources';
import { describeError } from '@sluice/errors';
import {
  endSpan,
  extractFromUserProperties,
  spanCarrier,
  SpanKind,
  startSpan,
  type SluiceMetrics,
} from '@sluice/telemetry';

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
    // why here: a message's trace starts (or continues the device's traceparent) when Sluice gets it
    const span = startSpan(
      `ingest ${message.topic}`,
      SpanKind.CONSUMER,
      extractFromUserProperties(props?.userProperties),
    );
    if (span.isRecording()) {
      span.setAttributes({
        'messaging.system': 'mqtt',
        'messaging.destination.name': message.topic,
        'messaging.message.id': message.id,
        'sluice.tenant': tenant,
        'sluice.source': source,
        'sluice.qos': message.qos,
      });
    }
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
      trace: spanCarrier(span),
    });
    metrics?.sourceReceived.inc({ ...labels, qos: String(message.qos) });
    try {
      await bus.publish(subject, data, { msgId: message.id });
    } catch (error) {
      metrics?.sourceStoreFailures.inc(labels);
      endSpan(span, describeError(error));
      throw error;
    }
    endSpan(span);
    metrics?.sourceStored.inc(labels);
  };
}
