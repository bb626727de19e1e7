import { DeliveryIds } from './delivery-ids';

const payload = Buffer.from('{"t":1}');

describe('DeliveryIds', () => {
  it('gives a redelivery (same packet id, not yet acknowledged) the same id', () => {
    const ids = new DeliveryIds('t/s', 'c-0');
    const first = ids.idFor(1, 7, 'a/b', payload);
    ids.onSession(true); // reconnect with the session kept: the broker redelivers packet 7
    expect(ids.idFor(1, 7, 'a/b', payload)).toBe(first);
  });

  it('gives the next message on a reused packet id a new id even with the same topic and payload', () => {
    const ids = new DeliveryIds('t/s', 'c-0');
    const first = ids.idFor(1, 7, 'a/b', payload);
    ids.acknowledged(7);
    expect(ids.idFor(1, 7, 'a/b', payload)).not.toBe(first);
  });

  it('starts afresh when the broker kept no session, and differs per client, source and process', () => {
    const ids = new DeliveryIds('t/s', 'c-0');
    const first = ids.idFor(2, 7, 'a/b', payload);
    ids.onSession(false);
    expect(ids.idFor(2, 7, 'a/b', payload)).not.toBe(first);
    expect(new DeliveryIds('t/s', 'c-1').idFor(2, 7, 'a/b', payload)).not.toBe(first);
    expect(new DeliveryIds('t/s', 'c-0').idFor(2, 7, 'a/b', payload)).not.toBe(first);
  });

  it('tells apart two messages on the same packet id and ack count by topic and payload', () => {
    const ids = new DeliveryIds('t/s', 'c-0');
    const first = ids.idFor(1, 7, 'a/b', payload);
    expect(ids.idFor(1, 7, 'a/c', payload)).not.toBe(first);
    expect(ids.idFor(1, 7, 'a/b', Buffer.from('{"t":2}'))).not.toBe(first);
    expect(ids.idFor(2, 7, 'a/b', payload)).not.toBe(first);
    expect(first).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('gives every QoS 0 message its own id', () => {
    const ids = new DeliveryIds('t/s', 'c-0');
    expect(ids.idFor(0, undefined, 'a/b', payload)).not.toBe(ids.idFor(0, undefined, 'a/b', payload));
  });
});
