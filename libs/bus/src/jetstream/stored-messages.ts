import type { JetStreamClient, JetStreamManager } from 'nats';
import type { StoredBusMessage } from '../bus';

const NO_MESSAGE = 10037;
const DELETE_FAILED = 10057;
const SEQUENCE_NOT_FOUND = 10043;

/**
 * Reads what a stream stores under a subject filter, oldest first, through an ordered consumer: it
 * reads without acknowledging, so listing changes nothing (not even on a work-queue stream).
 */
export async function readStoredMessages(
  js: JetStreamClient,
  stream: string,
  filterSubject: string,
  limit: number,
): Promise<StoredBusMessage[]> {
  const consumer = await js.consumers.get(stream, { filterSubjects: filterSubject });
  const found: StoredBusMessage[] = [];
  try {
    while (found.length < limit) {
      const batch = await consumer.fetch({
        max_messages: Math.min(256, limit - found.length),
        expires: 1_000,
      });
      let received = 0;
      let pending = 0;
      for await (const m of batch) {
        received++;
        pending = m.info.pending;
        found.push({ seq: m.seq, subject: m.subject, data: m.data });
      }
      if (received === 0 || pending === 0) break;
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
  return found;
}

/** One stored message by sequence; undefined when there is none (deleted, expired, never stored). */
export async function readStoredMessage(
  jsm: JetStreamManager,
  stream: string,
  seq: number,
): Promise<StoredBusMessage | undefined> {
  try {
    const m = await jsm.streams.getMessage(stream, { seq });
    return { seq: m.seq, subject: m.subject, data: m.data };
  } catch (error) {
    if (isNoMessage(error)) return undefined;
    throw error;
  }
}

export async function deleteStoredMessage(
  jsm: JetStreamManager,
  stream: string,
  seq: number,
): Promise<boolean> {
  try {
    return await jsm.streams.deleteMessage(stream, seq);
  } catch (error) {
    if (isNoMessage(error) || isDeleteOfMissing(error)) return false;
    throw error;
  }
}

// why by code: JetStream answers 10037 ("no message found") for a sequence it does not hold
function isNoMessage(error: unknown): boolean {
  return (error as { api_error?: { err_code?: number } }).api_error?.err_code === NO_MESSAGE;
}

// why: a delete of a sequence the stream does not hold fails with 10043 past the last sequence
// ("sequence 3 not found"), or with 10057 ("no message found", "stream store EOF"), which also
// covers other delete failures, so there the text decides
function isDeleteOfMissing(error: unknown): boolean {
  const api = (error as { api_error?: { err_code?: number; description?: string } }).api_error;
  if (api?.err_code === SEQUENCE_NOT_FOUND) return true;
  return api?.err_code === DELETE_FAILED && /not found|store EOF/i.test(api.description ?? '');
}
