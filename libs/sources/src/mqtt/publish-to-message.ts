import { sysClientEventTopic } from '@sluice/rule-engine';
import type { IPublishPacket } from 'mqtt';
import { unmount } from '../mountpoint';
import type { TopicPatternMatcher } from '../topic-pattern';
import type { IngestedMessage, IngestedMessageProperties } from '../types';

export interface FieldExtraction {
  /** Taken off the topic and the response topic: the message as its tenant sees it. */
  mountpoint?: string;
  topicPattern?: TopicPatternMatcher;
  userPropertyFields?: { clientid?: string; username?: string };
  /** `'emqx'`: EMQX's `$SYS` client messages become `$events/client/connected|disconnected`. */
  clientEvents?: 'emqx';
}

/** Turns a PUBLISH packet into the message a sink receives (without deciding its id). */
export function publishToMessage(
  packet: IPublishPacket,
  id: string,
  receivedAt: number,
  extraction: FieldExtraction,
): IngestedMessage {
  const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
  const event = extraction.clientEvents ? sysClientEventTopic(packet.topic) : undefined;
  const topic = event ? event.topic : unmount(extraction.mountpoint, packet.topic);
  const message: IngestedMessage = {
    id,
    topic,
    payload,
    qos: packet.qos,
    retain: packet.retain,
    dup: packet.dup,
    receivedAt,
  };
  const properties = packet.properties ? toProperties(packet.properties) : undefined;
  if (properties?.responseTopic !== undefined) {
    properties.responseTopic = unmount(extraction.mountpoint, properties.responseTopic);
  }
  if (properties) message.properties = properties;
  // why this order: a user property is what the publisher said; the topic is only a convention
  const fromProperties = extraction.userPropertyFields;
  if (fromProperties && properties?.userProperties) {
    for (const field of ['clientid', 'username'] as const) {
      const name = fromProperties[field];
      const pair = name === undefined ? undefined : properties.userProperties.find(([key]) => key === name);
      if (pair) message[field] = pair[1];
    }
  }
  if (event) {
    message.clientid = event.clientid;
    return message;
  }
  const fromTopic = extraction.topicPattern?.(topic);
  if (fromTopic) {
    message.clientid ??= fromTopic.clientid;
    message.username ??= fromTopic.username;
    if (message.clientid === undefined) delete message.clientid;
    if (message.username === undefined) delete message.username;
  }
  return message;
}

function toProperties(
  source: NonNullable<IPublishPacket['properties']>,
): IngestedMessageProperties | undefined {
  const target: IngestedMessageProperties = {};
  if (source.payloadFormatIndicator !== undefined)
    target.payloadFormatIndicator = source.payloadFormatIndicator;
  if (source.messageExpiryInterval !== undefined) target.messageExpiryInterval = source.messageExpiryInterval;
  if (source.contentType !== undefined) target.contentType = source.contentType;
  if (source.responseTopic !== undefined) target.responseTopic = source.responseTopic;
  if (source.correlationData !== undefined) target.correlationData = source.correlationData;
  if (source.userProperties) {
    target.userProperties = Object.entries(source.userProperties).flatMap(([key, value]) =>
      (Array.isArray(value) ? value : [value]).map((v): [string, string] => [key, v]),
    );
  }
  return Object.keys(target).length > 0 ? target : undefined;
}
