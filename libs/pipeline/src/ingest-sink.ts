import {
  createIngestBatchPublisher,
  encodeDeadLetter,
  type BatchPublisherOptions,
  type Bus,
  type IngestEnvelope,
  type Subjects,
} from '@sluice/bus';
import { MessageRejectedError, type IngestedMessage, type MessageSink } from '@sluice/sources';
import { describeError } from '@sluice/errors';
import {
  endSpan,
  extractFromUserProperties,
  spanCarrier,
  SpanKind,
  startSpan,
  type SluiceMetrics,
} from '@sluice/telemetry';
import type { RuleStage } from './rule-stage';

/**
 * The ingest step's sink: stores each message from a source in the INGEST stream under its stable
 * id. It resolves only once the stream has it, which is when the source may acknowledge the broker.
 *
 * Messages travel in batch envelopes (group commit, `createIngestBatchPublisher`): a message goes
 * out at once while a publish slot is free, and the ones arriving while every slot waits for its
 * PubAck leave together in the next JetStream message. So light traffic waits for nothing, and
 * heavy traffic pays NATS's per-message cost (about 20 µs of server CPU, docs/benchmarks.md) once per
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
  maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES,
): MessageSink {
  const subject = subjects.ingest(tenant, source);
  const batchSizes = metrics?.busBatchMessages.labels({ stream: 'INGEST' });
  const batches = createIngestBatchPublisher(bus, {
    ...batching,
    onBatch: batchSizes && ((n) => batchSizes.observe(n)),
  });
  return createSink((envelope) => batches.publish(subject, envelope), {
    bus,
    subjects,
    tenant,
    source,
    metrics,
    maxMessageBytes,
  });
}

/**
 * The embedded mode's sink (docs/adr/0009-embedded-rules-on-the-ingest-turn.md): runs the rules on
 * each message as it arrives and stores only their action requests, in the ACTIONS stream; a message
 * no rule selects stores nothing. It resolves once those requests (or the message's dead letter)
 * are committed, which is when the source may acknowledge the broker, so a crash after the
 * acknowledgement loses nothing. Envelope, span, counters and the size limit are the INGEST sink's.
 */
export function createRulingSink(
  stage: RuleStage,
  bus: Bus,
  subjects: Subjects,
  tenant: string,
  source: string,
  metrics?: SluiceMetrics,
  maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES,
): MessageSink {
  // why: the source retries a rejected message with backoff; the stage dead-letters it after a
  // bound of tries (as after that many INGEST deliveries), so it counts them per message id
  const failures = new Map<string, number>();
  const store = async (envelope: IngestEnvelope): Promise<void> => {
    const attempt = (failures.get(envelope.id) ?? 0) + 1;
    try {
      await stage.evaluateNow(envelope, attempt);
    } catch (error) {
      // why not for QoS 0: the source drops it instead of trying again
      if (envelope.qos > 0 && failures.size < MAX_TRACKED_FAILURES) failures.set(envelope.id, attempt);
      throw error;
    }
    if (attempt > 1) failures.delete(envelope.id);
  };
  return createSink(store, { bus, subjects, tenant, source, metrics, maxMessageBytes });
}

interface SinkContext {
  bus: Bus;
  subjects: Subjects;
  tenant: string;
  source: string;
  metrics: SluiceMetrics | undefined;
  maxMessageBytes: number;
}

/** What both sinks do around storing: the envelope, the ingest span, the counters, the size limit. */
function createSink(
  store: (envelope: IngestEnvelope) => Promise<void>,
  { bus, subjects, tenant, source, metrics, maxMessageBytes }: SinkContext,
): MessageSink {
  const rejectTooLarge = tooLargeRejecter(bus, subjects.dlq(tenant, INGEST_DLQ_TOKEN), maxMessageBytes);
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
    if (envelopeSize(envelope) > maxMessageBytes) {
      endSpan(span, { code: 'INGEST_MESSAGE_TOO_LARGE', message: 'over SLUICE_INGEST_MAX_MESSAGE_BYTES' });
      return rejectTooLarge(envelope);
    }
    try {
      await store(envelope);
    } catch (error) {
      counts?.add(message.qos, 'storeFailures');
      endSpan(span, describeError(error));
      throw error;
    }
    endSpan(span);
    counts?.add(message.qos, 'stored');
  };
}

/** Messages whose tries the ruling sink counts at once; beyond it (a stuck flood) a try counts as the first. */
const MAX_TRACKED_FAILURES = 100_000;
/** NATS's default max_payload is 1 MiB; what a batch envelope adds must fit beside the payload. */
const DEFAULT_MAX_MESSAGE_BYTES = 1_000_000;
/** The connector token of ingest's dead letters (messages that never reached INGEST). */
const INGEST_DLQ_TOKEN = '_ingest';
/** How much of a rejected payload its dead letter keeps, so an operator can see what it was. */
const DEAD_LETTER_PAYLOAD_BYTES = 4096;

function envelopeSize(envelope: IngestEnvelope): number {
  let size = envelope.payload.length + envelope.topic.length + 256;
  for (const { key, value } of envelope.userProperties) size += key.length + value.length + 4;
  return size + (envelope.correlationData?.length ?? 0) + (envelope.responseTopic?.length ?? 0);
}

/**
 * A message over the bus's size limit can never be stored, and retrying it would hold one of the
 * connection's in-flight slots for good. It is dead-lettered (its head only, since the whole would
 * not fit either) and rejected, so the source acknowledges it and counts it as dropped.
 */
function tooLargeRejecter(bus: Bus, dlqSubject: string, maxMessageBytes: number) {
  return async (envelope: IngestEnvelope): Promise<never> => {
    const size = envelopeSize(envelope);
    const detail =
      `message ${envelope.id} on '${envelope.topic}' is about ${size} bytes, over ` +
      `SLUICE_INGEST_MAX_MESSAGE_BYTES (${maxMessageBytes}); its dead letter keeps the first ` +
      `${DEAD_LETTER_PAYLOAD_BYTES} bytes of the payload`;
    const letter = encodeDeadLetter({
      errorCode: 'INGEST_MESSAGE_TOO_LARGE',
      errorMessage: detail,
      attempts: 1,
      failedAt: Date.now(),
      raw: envelope.payload.subarray(0, DEAD_LETTER_PAYLOAD_BYTES),
    });
    // why let a failure through: without its dead letter the message must not be acknowledged
    await bus.publish(dlqSubject, letter, { msgId: `dlq:ingest:${envelope.id}` });
    throw new MessageRejectedError('INGEST_MESSAGE_TOO_LARGE', detail);
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
