import { PublishTopicInvalidError } from '../errors';

/** MQTT 3.1.1 and 5 (1.5.4): a UTF-8 string is at most 65535 bytes long. */
export const MAX_TOPIC_BYTES = 65_535;

// with the u flag a surrogate pair is one code point, so only unpaired halves match
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/**
 * Checks that `topic` is a topic *name* a client may PUBLISH to (MQTT 5, 4.7): not empty, no
 * wildcard characters, no NUL, well-formed UTF-8 of at most 65535 bytes. Throws
 * {@link PublishTopicInvalidError} naming the first rule broken.
 *
 * @example assertValidTopicName('sensors/d1/temp'); // ok
 * assertValidTopicName('sensors/+/temp'); // throws PUBLISH_TOPIC_INVALID
 */
export function assertValidTopicName(topic: string): void {
  if (topic.length === 0) throw new PublishTopicInvalidError(topic, 'a topic must not be empty');
  if (topic.includes('+') || topic.includes('#')) {
    throw new PublishTopicInvalidError(topic, "wildcards '+' and '#' are only allowed in subscriptions");
  }
  if (topic.includes('\u0000')) throw new PublishTopicInvalidError(topic, 'a topic must not contain NUL');
  // why: a lone surrogate cannot be encoded as UTF-8; Buffer.from would silently replace it
  if (LONE_SURROGATE.test(topic))
    throw new PublishTopicInvalidError(topic, 'a topic must be well-formed UTF-8');
  const bytes = Buffer.byteLength(topic, 'utf8');
  if (bytes > MAX_TOPIC_BYTES) {
    throw new PublishTopicInvalidError(
      topic,
      `${bytes} bytes is longer than the MQTT limit of ${MAX_TOPIC_BYTES}`,
    );
  }
}
