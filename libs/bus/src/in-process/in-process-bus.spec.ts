import { createSubjects, defaultBusConfig, InProcessBus, type BusConfig } from '@sluice/bus';
import { describeBusContract } from '../../test/bus-contract';
import { eventually } from '../../../../test/support';

function makeBus(overrides: Partial<BusConfig> = {}) {
  const subjects = createSubjects('');
  const bus = new InProcessBus(defaultBusConfig(overrides), subjects);
  return { bus, subjects };
}

describeBusContract(
  'InProcessBus',
  async () => {
    const { bus, subjects } = makeBus();
    await bus.start();
    return {
      bus,
      subjects,
      ingestCount: () => Promise.resolve(bus.streamSize('INGEST').messages),
      dispose: () => bus.close(),
    };
    // the defaults of busConfigShape
  },
  { maxMessages: 1_000_000, maxBytes: 256 * 1024 ** 2 },
);

describe('InProcessBus limits', () => {
  const bytes = new Uint8Array([1, 2, 3]);

  it('rejects a publish with BUS_FULL when the stream holds max messages, and accepts again once one is acked', async () => {
    const { bus, subjects } = makeBus({ SLUICE_BUS_INGEST_MAX_MSGS: 2 });
    const subject = subjects.ingest('acme', 's');
    await bus.publish(subject, bytes, { msgId: '1' });
    await bus.publish(subject, bytes, { msgId: '2' });
    await expect(bus.publish(subject, bytes, { msgId: '3' })).rejects.toMatchObject({
      code: 'BUS_FULL',
      category: 'UNAVAILABLE',
      message: expect.stringContaining('is full') as string,
    });
    const c = await bus.consume(
      { stream: 'INGEST', durable: 'r', filterSubject: subjects.ingestAll() },
      (m) => m.ack(),
    );
    await eventually(() => expect(bus.streamSize('INGEST').messages).toBe(0));
    await bus.publish(subject, bytes, { msgId: '3' });
    await c.stop();
    await bus.close();
  });

  it('rejects with BUS_FULL on max bytes', async () => {
    const { bus, subjects } = makeBus({ SLUICE_BUS_INGEST_MAX_BYTES: 200 });
    const subject = subjects.ingest('acme', 's');
    await bus.publish(subject, new Uint8Array(100), { msgId: '1' });
    await expect(bus.publish(subject, new Uint8Array(100), { msgId: '2' })).rejects.toMatchObject({
      code: 'BUS_FULL',
    });
    await bus.close();
  });

  it('drops the oldest dead letter when the DLQ is full and discards old', async () => {
    const { bus, subjects } = makeBus({ SLUICE_BUS_DLQ_MAX_MSGS: 2, SLUICE_BUS_DLQ_DISCARD: 'old' });
    const subject = subjects.dlq('acme', 'c');
    for (const id of ['1', '2', '3']) await bus.publish(subject, new TextEncoder().encode(id), { msgId: id });
    expect(bus.streamSize('DLQ').messages).toBe(2);
    const seen: string[] = [];
    const c = await bus.consume(
      { stream: 'DLQ', durable: 'inspect', filterSubject: subjects.dlqAll() },
      async (m) => {
        seen.push(m.msgId);
        await m.ack();
      },
    );
    await eventually(() => expect(seen).toEqual(['2', '3']));
    // limits retention: acked dead letters stay stored
    expect(bus.streamSize('DLQ').messages).toBe(2);
    await c.stop();
    await bus.close();
  });

  it('forgets a msgId after the duplicate window', async () => {
    const { bus, subjects } = makeBus({ SLUICE_BUS_DUPLICATE_WINDOW_MS: 50 });
    const subject = subjects.ingest('acme', 's');
    await bus.publish(subject, bytes, { msgId: 'same' });
    await bus.publish(subject, bytes, { msgId: 'same' });
    expect(bus.streamSize('INGEST').messages).toBe(1);
    await eventually(
      async () => {
        await bus.publish(subject, bytes, { msgId: 'same' });
        expect(bus.streamSize('INGEST').messages).toBe(2);
      },
      { timeoutMs: 2_000 },
    );
    await bus.close();
  });

  it('a new durable receives what the stream already holds, filtered by subject', async () => {
    const { bus, subjects } = makeBus();
    await bus.publish(subjects.actions('acme', 'http'), bytes, { msgId: 'h' });
    await bus.publish(subjects.actions('acme', 'kafka'), bytes, { msgId: 'k' });
    const seen: string[] = [];
    const c = await bus.consume(
      { stream: 'ACTIONS', durable: 'delivery_acme_http', filterSubject: subjects.actions('acme', 'http') },
      async (m) => {
        seen.push(m.msgId);
        await m.ack();
      },
    );
    await eventually(() => expect(seen).toEqual(['h']));
    expect(bus.streamSize('ACTIONS').messages).toBe(1);
    await c.stop();
    await bus.close();
  });
});
