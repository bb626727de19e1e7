import type { Socket } from 'node:net';
import { connect, type NatsConnection } from 'nats';
import { testServers } from '../../../test/support';
import { flushOncePerTurn } from '../src/jetstream/flush-per-turn';

/** Counts the writes nats.js makes on the connection's socket from now on. */
function countWrites(nc: NatsConnection): () => number {
  const socket = (nc as unknown as { protocol: { transport: { socket: Socket } } }).protocol.transport.socket;
  let writes = 0;
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = (...args: unknown[]) => {
    writes += 1;
    return write(...args);
  };
  return () => writes;
}

/** Publishes `n` messages, each from its own microtask chain, as acks and pulls from different callbacks do. */
async function publishFromSeparateCallbacks(nc: NatsConnection, subject: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    nc.publish(subject, String(i));
    await Promise.resolve();
    await Promise.resolve();
  }
}

describe('flushOncePerTurn', () => {
  let publisher: NatsConnection;
  let reader: NatsConnection;

  beforeEach(async () => {
    publisher = await connect({ servers: testServers.natsUrl });
    reader = await connect({ servers: testServers.natsUrl });
  });

  afterEach(async () => {
    await Promise.allSettled([publisher.close(), reader.close()]);
  });

  it('applies to this nats.js (a changed protocol handler would switch it off silently)', () => {
    expect(flushOncePerTurn(publisher)).toBe(true);
  });

  it('sends what one turn publishes in one write, and every message arrives', async () => {
    const subject = `flush.${process.pid}.${Date.now()}`;
    const received: string[] = [];
    const sub = reader.subscribe(subject, { callback: (_e, m) => received.push(m.string()) });
    await reader.flush();

    const before = countWrites(publisher);
    await publishFromSeparateCallbacks(publisher, subject, 10);
    await new Promise((resolve) => setImmediate(resolve));
    const unpatched = before();
    expect(unpatched).toBeGreaterThan(1); // the default: a write per callback

    flushOncePerTurn(publisher);
    const after = countWrites(publisher);
    await publishFromSeparateCallbacks(publisher, subject, 10);
    await new Promise((resolve) => setImmediate(resolve));
    expect(after()).toBe(1);

    await publisher.flush();
    await vi.waitFor(() => expect(received).toHaveLength(20));
    sub.unsubscribe();
  });

  it('sends what is pending when the connection drains in the same turn (as the bus closes)', async () => {
    const subject = `flush.close.${process.pid}.${Date.now()}`;
    const received: string[] = [];
    reader.subscribe(subject, { callback: (_e, m) => received.push(m.string()) });
    await reader.flush();
    flushOncePerTurn(publisher);
    publisher.publish(subject, 'last words');
    await publisher.drain();
    await vi.waitFor(() => expect(received).toEqual(['last words']));
  });
});
