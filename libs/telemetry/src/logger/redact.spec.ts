import { REDACTED, redactText, redactValue } from './redact';

describe('redaction of log lines', () => {
  it('masks the password of a URL, also when an unencoded "/", "@" or "#" makes it unparsable', () => {
    expect(redactText('amqp://guest:guest@host:5672')).toBe(`amqp://guest:${REDACTED}@host:5672`);
    for (const password of ['p@ss/w0rd', 'a#b@c', 's3cr/et']) {
      const line = redactText(`connector c1: invalid URL postgres://app:${password}@db.example:5432/x`);
      expect(line).not.toContain(password);
      expect(line).toContain(`postgres://app:${REDACTED}@db.example:5432/x`);
    }
  });

  it('masks secrets in the message and stack of an Error field', () => {
    const error = new TypeError('Invalid URL: mysql://root:hunter2/x@10.0.0.1/db');
    const masked = redactValue({ err: error }) as { err: { message: string; stack: string; type: string } };
    expect(masked.err.type).toBe('TypeError');
    expect(masked.err.message).not.toContain('hunter2');
    expect(masked.err.stack).not.toContain('hunter2');
  });

  it('masks a lone token in a URL (nats://token@host), and leaves URLs without userinfo alone', () => {
    expect(redactText('connect to nats://s3cr3t-t0ken@nats.example:4222 failed')).toBe(
      `connect to nats://${REDACTED}@nats.example:4222 failed`,
    );
    expect(redactText('servers tls://a@h1,nats://b@h2')).toBe(
      `servers tls://${REDACTED}@h1,nats://${REDACTED}@h2`,
    );
    expect(redactText('amqp://guest:guest@host')).toBe(`amqp://guest:${REDACTED}@host`);
    expect(redactText('see http://h.example/a@b and mail ops@example.com')).toBe(
      'see http://h.example/a@b and mail ops@example.com',
    );
  });
});
