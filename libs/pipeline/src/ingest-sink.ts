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
  const counts = metrics ? new SinkCounts(metrics, tenant, source) : undefined;
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
    counts?.add(message.qos, 'received');
    try {
      await batches.publish(subject, envelope);
    } catch (error) {
      counts?.add(message.qos, 'storeFailures');
      endSpan(span, describeError(error));
      throw error;
    }
    endSpan(span);
    counts?.add(message.qos, 'stored');
  };
}

/**
 * The sink's Prometheus counters, added up per event-loop turn: prom-client hashes and validates
 * the label set on every `inc` (even through `labels()`), and a stored batch settles all its
 * messages in one turn. The counters lag by at most that turn.
 */
class SinkCounts {
  private readonly received = [0, 0, 0];
  private stored = 0;
  private storeFailures = 0;
  private scheduled = false;

  constructor(
    private readonly metrics: SluiceMetrics,
    private readonly tenant: string,
    private readonly source: string,
  ) {}

  add(qos: 0 | 1 | 2, what: 'received' | 'stored' | 'storeFailures'): void {
    if (what === 'received') this.received[qos]! += 1;
    else this[what] += 1;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const labels = { tenant: this.tenant, source: this.source };
    this.received.forEach((count, qos) => {
      if (count > 0) this.metrics.sourceReceived.inc({ ...labels, qos: String(qos) }, count);
    });
    if (this.stored > 0) this.metrics.sourceStored.inc(labels, this.stored);
    if (this.storeFailures > 0) this.metrics.sourceStoreFailures.inc(labels, this.storeFailures);
    this.received.fill(0);
    this.stored = 0;
    this.storeFailures = 0;
  }
}
