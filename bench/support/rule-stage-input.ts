/**
 * Input for benchmarks of the rules step (RuleStage.handle): INGEST envelopes, batch messages as the
 * bus hands them over (ack and nak do nothing), and a logger that prints nothing.
 */
import { BATCH_HEADER, encodeIngestBatch, type BusMessage, type IngestEnvelope } from '@sluice/bus';
import type { StageLogger } from '@sluice/pipeline';

export const quietLogger: StageLogger = {
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** An ingested MQTT message `id` of tenant `tenant`, source `s`, QoS 1, with a JSON payload. */
export function ingestEnvelope(
  tenant: string,
  id: string,
  topic: string,
  payload: unknown,
  clientid = 'c',
): IngestEnvelope {
  return {
    id,
    tenant,
    source: 's',
    topic,
    payload: Buffer.from(JSON.stringify(payload)),
    qos: 1,
    retain: false,
    userProperties: [],
    clientid,
    username: '',
    peerhost: '',
    receivedAt: 0,
    trace: {},
  };
}

/** One INGEST batch message holding `envelopes`, ready for RuleStage.handle (each call a new one). */
export function ingestBatchMessage(envelopes: IngestEnvelope[]): () => BusMessage {
  const data = encodeIngestBatch(envelopes);
  const subject = `sluice.ingest.${envelopes[0]?.tenant ?? 'bench'}.s`;
  const headers = { [BATCH_HEADER]: String(envelopes.length) };
  return () => ({
    subject,
    data,
    headers,
    msgId: 'b',
    deliveryCount: 1,
    ack: () => Promise.resolve(),
    nak: () => undefined,
    term: () => undefined,
    working: () => undefined,
  });
}
