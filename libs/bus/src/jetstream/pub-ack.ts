import type { Msg } from 'nats';
import { BusFullError, BusUnavailableError } from '../errors';

interface PubAckReply {
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  error?: { code?: number; err_code?: number; description?: string };
}

/** Turns a JetStream PubAck into nothing (stored, or a known duplicate) or the error to throw. */
export function pubAckError(subject: string, reply: Msg): Error | undefined {
  if (reply.headers?.hasError) {
    // why unavailable, not NoStreamForSubject: the bus sends only subjects its streams capture, so
    // 503 "no responders" means the stream has no leader right now (a cluster electing one after a
    // node was lost, or moving it to more replicas): the caller keeps the message and retries
    return reply.headers.code === 503
      ? new BusUnavailableError(`no stream leader answered for ${subject} (no responders); retry`)
      : new BusUnavailableError(`publish to ${subject} failed: ${reply.headers.description}`);
  }
  let ack: PubAckReply;
  try {
    ack = JSON.parse(new TextDecoder().decode(reply.data)) as PubAckReply;
  } catch {
    return new BusUnavailableError(`unreadable PubAck for ${subject}`);
  }
  if (!ack.error) return undefined;
  const description = ack.error.description ?? 'unknown error';
  // the server answers discard-new limits with "maximum messages/bytes exceeded"
  if (/maximum (messages|bytes)( per subject)? exceeded/i.test(description)) {
    return new BusFullError(`stream of ${subject} is full: ${description} (err_code ${ack.error.err_code})`);
  }
  return new BusUnavailableError(
    `JetStream rejected ${subject}: ${description} (err_code ${ack.error.err_code})`,
  );
}
