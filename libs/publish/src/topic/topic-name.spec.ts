import { PublishTopicInvalidError } from '@sluice/publish';
import { assertValidTopicName } from './topic-name';

function reasonFor(topic: string): string | undefined {
  try {
    assertValidTopicName(topic);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(PublishTopicInvalidError);
    expect((error as PublishTopicInvalidError).code).toBe('PUBLISH_TOPIC_INVALID');
    return (error as Error).message;
  }
}

describe('assertValidTopicName', () => {
  it.each(['a', 'sensors/d1/temp', '/leading', 'trailing/', 'a//b', '$SYS/x', 'ünïcode/话题', ' '])(
    'accepts %j',
    (topic) => expect(reasonFor(topic)).toBeUndefined(),
  );

  it('rejects an empty topic', () => expect(reasonFor('')).toMatch(/must not be empty/));
  it.each(['a/+/b', '+', '#', 'a/#', 'a+b', 'x#'])('rejects the wildcard topic %j', (topic) =>
    expect(reasonFor(topic)).toMatch(/wildcards/),
  );
  it('rejects NUL', () => expect(reasonFor('a\u0000b')).toMatch(/NUL/));
  it('rejects a lone surrogate', () => expect(reasonFor('a\ud800b')).toMatch(/UTF-8/));

  it('counts bytes, not characters: 65535 bytes pass, 65536 fail', () => {
    expect(reasonFor('a'.repeat(65_535))).toBeUndefined();
    expect(reasonFor('a'.repeat(65_536))).toMatch(/65536 bytes/);
    // 'é' is 2 bytes in UTF-8: 32768 of them are 65536 bytes though only 32768 characters
    expect(reasonFor('é'.repeat(32_768))).toMatch(/65536 bytes/);
    expect(reasonFor('é'.repeat(32_767) + 'a')).toBeUndefined();
  });
});
