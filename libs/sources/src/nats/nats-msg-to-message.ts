import { createHash, randomUUID } from 'node:crypto';
import type { MsgHdrs } from 'nats';
import type { IngestedMessage } from '../types';
import type { NatsSourceConfig } from './nats-source.config';

/** What the mapping needs of a core or JetStream message. */
export interface NatsMessageParts {
  subject: string;
  data: Uint8Array;
  headers?: MsgHdrs;
  /** JetStream only. */
  stream?: { name: string; sequence: number; timestampMs: number; redelivered: boolean };
}

const hash = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 32);

/**
 * The id: a JetStream message keeps its stream sequence across redeliveries; a core message with a
 * `Nats-Msg-Id` header keeps the publisher's id; any other core message is never redelivered and
 * gets a random one.
 */
export function natsMessageId(sourceKey: string, parts: NatsMessageParts): string {
  if (parts.stream) return hash(`nats\0${sourceKey}\0${parts.stream.name}\0${parts.stream.sequence}`);
  const msgId = parts.headers?.get('Nats-Msg-Id');
  return msgId ? hash(`nats-msg-id\0${sourceKey}\0${msgId}`) : randomUUID();
}

/** Maps a NATS message onto the MQTT-shaped message the rules see (the mapping is in docs/sources.md). */
export function natsMessageToIngested(
  config: NatsSourceConfig,
  parts: NatsMessageParts,
  now: number,
): IngestedMessage {
  const userProperties: [string, string][] = [];
  for (const [name, values] of parts.headers ?? [])
    for (const value of values) userProperties.push([name, value]);
  const header = (name: string | undefined) =>
    name === undefined ? undefined : parts.headers?.get(name) || undefined;
  const clientid = header(config.headerFields?.clientid);
  const username = header(config.headerFields?.username);
  const topic = config.topicMapping === 'slashes' ? parts.subject.replaceAll('.', '/') : parts.subject;
  return {
    id: natsMessageId(`${config.tenant}/${config.id}`, parts),
    topic: config.topicPrefix + topic,
    payload: Buffer.from(parts.data.buffer, parts.data.byteOffset, parts.data.byteLength),
    qos: parts.stream ? 1 : 0,
    retain: false,
    dup: parts.stream?.redelivered ?? false,
    receivedAt: parts.stream?.timestampMs ?? now,
    ...(clientid !== undefined ? { clientid } : {}),
    ...(username !== undefined ? { username } : {}),
    ...(userProperties.length > 0 ? { properties: { userProperties } } : {}),
  };
}
