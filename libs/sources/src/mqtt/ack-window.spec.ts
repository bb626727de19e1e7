import { AckWindow, type PendingAck } from './ack-window';

describe('AckWindow', () => {
  it('sends acks in arrival order, each once its message is stored', () => {
    const sent: number[] = [];
    const window = new AckWindow((ack) => sent.push(ack.packetId));
    const [a, b, c] = [window.add(1, 1), window.add(2, 2), window.add(3, 1)] as [
      PendingAck,
      PendingAck,
      PendingAck,
    ];
    window.stored(b);
    window.stored(c);
    expect(sent).toEqual([]); // 1 is not stored yet: 2 and 3 wait behind it
    window.stored(a);
    expect(sent).toEqual([1, 2, 3]);
    expect(window.pending).toBe(0);
  });

  it('keeps working across many messages', () => {
    const sent: number[] = [];
    const window = new AckWindow((ack) => sent.push(ack.packetId));
    const acks = Array.from({ length: 3000 }, (_, i) => window.add((i % 65535) + 1, 1));
    for (const ack of acks.slice(1)) window.stored(ack);
    expect(sent).toHaveLength(0);
    window.stored(acks[0]!);
    expect(sent).toHaveLength(3000);
    expect(sent.slice(0, 3)).toEqual([1, 2, 3]);
  });
});
