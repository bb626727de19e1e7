import { ActionRequest, ActionRequestBatch, DeadLetter } from './generated/sluice/v1/action';
import { IngestBatch, IngestEnvelope, type UserProperty } from './generated/sluice/v1/ingest';
import { ComponentState, ComponentStatus } from './generated/sluice/v1/status';
import { MetricsReport, type ComponentMetrics } from './generated/sluice/v1/metrics';
import { RuleTap, RuleTraceEvent } from './generated/sluice/v1/trace';
import { EnvelopeDecodeError } from './errors';

export { ComponentState };
export type {
  ActionRequest,
  ComponentMetrics,
  ComponentStatus,
  DeadLetter,
  IngestEnvelope,
  MetricsReport,
  RuleTap,
  RuleTraceEvent,
  UserProperty,
};

/**
 * Header set on a JetStream message whose body is a batch (IngestBatch / ActionRequestBatch), with
 * the number of messages inside; absent on a single envelope.
 */
export const BATCH_HEADER = 'Sluice-Batch';

/** Header on an action request stored again alone for a retry: the attempts already made. */
export const ATTEMPTS_HEADER = 'Sluice-Attempts';

/** Header on an action request stored again for a retry: not to be tried before this time (epoch ms). */
export const NOT_BEFORE_HEADER = 'Sluice-Not-Before';

/** What a dead letter needs; the rest defaults (first failure = last failure, no raw bytes). */
export type DeadLetterInput = Pick<DeadLetter, 'errorCode' | 'errorMessage' | 'attempts' | 'failedAt'> &
  Partial<Pick<DeadLetter, 'request' | 'firstFailedAt'>> & { raw?: Uint8Array };

function decodeWith<T>(what: string, decode: (bytes: Uint8Array) => T, bytes: Uint8Array): T {
  try {
    return decode(bytes);
  } catch (error) {
    throw new EnvelopeDecodeError(what, error);
  }
}

/**
 * Encodes one ingested message (generated protobuf encoder: no JSON, no copies of the payload).
 *
 * @example const data = encodeIngestEnvelope({ id, tenant, source, topic, payload, qos: 1, ... });
 */
export function encodeIngestEnvelope(envelope: IngestEnvelope): Uint8Array {
  return IngestEnvelope.encode(envelope).finish();
}

/**
 * Decodes one ingested message; throws `EnvelopeDecodeError` (BUS_ENVELOPE_INVALID) on bad bytes.
 *
 * @example const envelope = decodeIngestEnvelope(message.data);
 */
export function decodeIngestEnvelope(bytes: Uint8Array): IngestEnvelope {
  return decodeWith('IngestEnvelope', (b) => IngestEnvelope.decode(b), bytes);
}

/**
 * Encodes several ingested messages into one JetStream message body; each keeps its own id.
 *
 * @example await bus.publish(subject, encodeIngestBatch(envelopes), { msgId, headers: { [BATCH_HEADER]: '2' } });
 */
export function encodeIngestBatch(messages: IngestEnvelope[]): Uint8Array {
  return IngestBatch.encode({ messages }).finish();
}

/** @example const envelopes = decodeIngestBatch(message.data); */
export function decodeIngestBatch(bytes: Uint8Array): IngestEnvelope[] {
  return decodeWith('IngestBatch', (b) => IngestBatch.decode(b).messages, bytes);
}

/** @example const data = encodeActionRequest({ id, tenant, ruleId, actionId, connectorId, data, ... }); */
export function encodeActionRequest(request: ActionRequest): Uint8Array {
  return ActionRequest.encode(request).finish();
}

/** @example const request = decodeActionRequest(message.data); */
export function decodeActionRequest(bytes: Uint8Array): ActionRequest {
  return decodeWith('ActionRequest', (b) => ActionRequest.decode(b), bytes);
}

/** @example const data = encodeActionRequestBatch([first, second]); */
export function encodeActionRequestBatch(requests: ActionRequest[]): Uint8Array {
  return ActionRequestBatch.encode({ requests }).finish();
}

/** @example const requests = decodeActionRequestBatch(message.data); */
export function decodeActionRequestBatch(bytes: Uint8Array): ActionRequest[] {
  return decodeWith('ActionRequestBatch', (b) => ActionRequestBatch.decode(b).requests, bytes);
}

/**
 * Encodes a dead letter; `firstFailedAt` defaults to `failedAt`.
 *
 * @example encodeDeadLetter({ request, errorCode: 'HTTP_503', errorMessage, attempts: 5, failedAt: Date.now() });
 */
export function encodeDeadLetter(input: DeadLetterInput): Uint8Array {
  return DeadLetter.encode({
    request: input.request,
    errorCode: input.errorCode,
    errorMessage: input.errorMessage,
    attempts: input.attempts,
    firstFailedAt: input.firstFailedAt ?? input.failedAt,
    failedAt: input.failedAt,
    raw: input.raw
      ? Buffer.from(input.raw.buffer, input.raw.byteOffset, input.raw.byteLength)
      : Buffer.alloc(0),
  }).finish();
}

/** @example const letter = decodeDeadLetter(message.data); */
export function decodeDeadLetter(bytes: Uint8Array): DeadLetter {
  return decodeWith('DeadLetter', (b) => DeadLetter.decode(b), bytes);
}

/** @example await bus.notify(subjects.status(tenant), encodeComponentStatus({ tenant, kind: 'connector', id, state, ... })); */
export function encodeComponentStatus(status: ComponentStatus): Uint8Array {
  return ComponentStatus.encode(status).finish();
}

/** @example const status = decodeComponentStatus(data); */
export function decodeComponentStatus(bytes: Uint8Array): ComponentStatus {
  return decodeWith('ComponentStatus', (b) => ComponentStatus.decode(b), bytes);
}

/** @example await bus.notify(subjects.metrics(tenant), encodeMetricsReport({ tenant, node, at, ttlMs, gone: false, items })); */
export function encodeMetricsReport(report: MetricsReport): Uint8Array {
  return MetricsReport.encode(report).finish();
}

/** @example const report = decodeMetricsReport(data); */
export function decodeMetricsReport(bytes: Uint8Array): MetricsReport {
  return decodeWith('MetricsReport', (b) => MetricsReport.decode(b), bytes);
}

/** @example await bus.notify(subjects.ruleTap(tenant), encodeRuleTap({ tenant, ruleId, ttlMs: 30_000 })); */
export function encodeRuleTap(tap: RuleTap): Uint8Array {
  return RuleTap.encode(tap).finish();
}

/** @example const tap = decodeRuleTap(data); */
export function decodeRuleTap(bytes: Uint8Array): RuleTap {
  return decodeWith('RuleTap', (b) => RuleTap.decode(b), bytes);
}

/** @example await bus.notify(subjects.ruleTrace(tenant, ruleId), encodeRuleTraceEvent(event)); */
export function encodeRuleTraceEvent(event: RuleTraceEvent): Uint8Array {
  return RuleTraceEvent.encode(event).finish();
}

/** @example const event = decodeRuleTraceEvent(data); */
export function decodeRuleTraceEvent(bytes: Uint8Array): RuleTraceEvent {
  return decodeWith('RuleTraceEvent', (b) => RuleTraceEvent.decode(b), bytes);
}
