import {
  createIngestBatchPublisher,
  type BatchPublisherOptions,
  type Bus,
  type IngestEnvelope,
  type Subjects,
} from '@sluice/bus';
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
 *
 * Messages travel in batch envelopes (group commit, `createIngestBatchPublisher`): a message goes
 * out at once while a publish slot is free, and the ones arriving while every slot waits for its
 * PubAck leave together in the next JetStream message. So light traffic waits for nothing, and
 * heavy traffic pays NATS's per-message cost (about 20 µs of server CPU, BASELINES.md) once per
 * batch. A batch is stored whole or not at all: if it fails, every message in it is rejected, so
 * none is acknowledged to the broker and each is retried (QoS 1/2) or counted as dropped (QoS 0).
 * Each envelope keeps its own stable id inside the batch; docs/sources.md says how a message
 * stored twice (a retried batch) is de-duplicated downstream.
 */
export function createIngestSink(
  bus: Bus,
  subjects: Subjects,
  tenant: string,
  source: string,
  metrics?: SluiceMetrics,
  batching?: BatchPublisherOptions,
): MessageSink {
  const subject = subjects.ingest(tenant, source);
  const batches = createIngestBatchPublisher(bus, batching);
  // why bound once: `inc(labels)` hashes and validates the label set on every call
  const labels = { tenant, source };
  const received = ([0, 1, 2] as const).map((qos) =>
    metrics?.sourceReceived.labels({ ...labels, qos: String(qos) }),
  );
  const stored = metrics?.sourceStored.labels(labels);
  const storeFailures = metrics?.sourceStoreFailures.labels(labels);
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
    const envelope: IngestEnvelope = {
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
      userProperties: props?.userProperties
        ? props.userProperties.map(([key, value]) => ({ key, value }))
        : [],
      trace: spanCarrier(span),
    };
    received[message.qos]?.inc();
    try {
      await batches.publish(subject, envelope);
    } catch (error) {
      storeFailures?.inc();
      endSpan(span, describeError(error));
      throw error;
    }
    endSpan(span);
    stored?.inc();
  };
}
