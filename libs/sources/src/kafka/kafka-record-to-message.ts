import { createHash } from 'node:crypto';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { IngestedMessage } from '../types';
import type { KafkaSourceConfig } from './kafka-source.config';

/**
 * The stable id of a record: the same record read again (after a crash or a rebalance) gets the
 * same id, so JetStream's duplicate window drops the second copy. The source key keeps two sources
 * reading the same topic apart.
 */
export function kafkaMessageId(sourceKey: string, topic: string, partition: number, offset: string): string {
  return createHash('sha256')
    .update(`kafka\0${sourceKey}\0${topic}\0${partition}\0${offset}`)
    .digest('base64url')
    .slice(0, 32);
}

function headerPairs(headers: IHeaders | undefined): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined) pairs.push([name, item.toString()]);
    }
  }
  return pairs;
}

/** Maps a Kafka record onto the MQTT-shaped message the rules see (the mapping is in docs/sources.md). */
export function kafkaRecordToMessage(
  config: KafkaSourceConfig,
  topic: string,
  partition: number,
  record: KafkaMessage,
  now: number,
): IngestedMessage {
  const userProperties = headerPairs(record.headers);
  const key = record.key === null || record.key === undefined ? undefined : record.key.toString();
  const fields: Pick<IngestedMessage, 'clientid' | 'username'> = {};
  if (key !== undefined) {
    if (config.key === 'clientid') fields.clientid = key;
    else if (config.key === 'username') fields.username = key;
    else if (typeof config.key === 'object') userProperties.push([config.key.userProperty, key]);
  }
  const timestamp = Number(record.timestamp);
  return {
    id: kafkaMessageId(`${config.tenant}/${config.id}`, topic, partition, record.offset),
    topic: config.topicTemplate.replaceAll('{topic}', topic).replaceAll('{partition}', String(partition)),
    payload: record.value ?? Buffer.alloc(0),
    qos: 1,
    retain: false,
    dup: false,
    receivedAt: Number.isFinite(timestamp) && timestamp > 0 ? timestamp : now,
    ...fields,
    ...(userProperties.length > 0 ? { properties: { userProperties } } : {}),
  };
}

/** Bytes of a record as read: key, value and headers. */
export function kafkaRecordBytes(record: KafkaMessage): number {
  let bytes = (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const [name, value] of headerPairs(record.headers)) bytes += name.length + value.length;
  return bytes;
}
