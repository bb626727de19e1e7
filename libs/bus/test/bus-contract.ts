import type { Bus, BusMessage, Subjects } from '@sluice/bus';
import { eventually } from '../../../test/support';

/** One bus under test, with what the contract needs to look inside its streams. */
export interface BusUnderTest {
  bus: Bus;
  subjects: Subjects;
  /** Messages the INGEST stream holds right now. */
  ingestCount(): Promise<number>;
  dispose(): Promise<void>;
}

const data = (text: string) => new TextEncoder().encode(text);
const text = (message: BusMessage) => new TextDecoder().decode(message.data);

/**
 * The behaviour both bus implementations promise (bus.ts). Run by the InProcessBus unit tests and
 * by the JetStream integration tests, so the embedded mode behaves like the mesh.
 */
export function describeBusContract(
  name: string,
  create: () => Promise<BusUnderTest>,
  /** The INGEST limits `create` configures. */
  limits: { maxMessages: number; maxBytes: number },
): void {
  describe(`${name}: bus contract`, () => {
    let t: BusUnderTest;
    let subject: string;
    const consumer = (
      durable: string,
      extra: { maxAckPending?: number; ackWaitMs?: number; maxDeliver?: number } = {},
    ) => ({
      stream: 'INGEST' as const,
      durable,
      filterSubject: t.subjects.ingestAll(),
      ...extra,
    });

    beforeEach(async () => {
      t = await create();
      subject = t.subjects.ingest('acme', 'src1');
    });
    afterEach(async () => {
      await t.dispose();
    });

    it('delivers what was published, with its id and headers, and removes it once acked', async () => {
      await t.bus.publish(subject, data('hello'), { msgId: 'm1', headers: { traceparent: 'tp-1' } });
      expect(await t.ingestCount()).toBe(1);
      const received: BusMessage[] = [];
      const c = await t.bus.consume(consumer('rules'), async (m) => {
        received.push(m);
        await m.ack();
        // why: ack resolves only once the stream has it, so the stream is already empty here
        expect(await t.ingestCount()).toBe(0);
      });
      await eventually(() => expect(received).toHaveLength(1));
      const [m] = received;
      expect(m!.subject).toBe(subject);
      expect(text(m!)).toBe('hello');
      expect(m!.msgId).toBe('m1');
      expect(m!.headers['traceparent']).toBe('tp-1');
      expect(m!.deliveryCount).toBe(1);
      await c.stop();
      expect(await t.ingestCount()).toBe(0);
    });

    it('reports what a stream holds against its limits', async () => {
      await t.bus.publish(subject, data('one'), { msgId: 'st1' });
      await t.bus.publish(subject, data('two'), { msgId: 'st2' });
      const stats = await t.bus.streamStats!('INGEST');
      expect(stats.messages).toBe(2);
      expect(stats.bytes).toBeGreaterThan(6);
      expect(stats.maxMessages).toBe(limits.maxMessages);
      expect(stats.maxBytes).toBe(limits.maxBytes);
    });

    it("reports each durable consumer's pending, ack-pending, delivered and acknowledged counts", async () => {
      for (const id of ['a', 'b', 'hold']) await t.bus.publish(subject, data(id), { msgId: id });
      const handled: string[] = [];
      const c = await t.bus.consume(consumer('rules', { maxAckPending: 1, ackWaitMs: 60_000 }), async (m) => {
        handled.push(text(m));
        if (text(m) !== 'hold') await m.ack();
      });
      await eventually(() => expect(handled).toEqual(['a', 'b', 'hold']));
      // held back by maxAckPending 1 while 'hold' waits for its ack
      for (const id of ['c', 'd']) await t.bus.publish(subject, data(id), { msgId: id });
      await eventually(async () =>
        expect(await t.bus.consumerStats!('INGEST')).toEqual([
          { name: 'rules', pending: 2, ackPending: 1, redelivered: 0, delivered: 3, acknowledged: 2 },
        ]),
      );
      expect(await t.bus.consumerStats!('DLQ')).toEqual([]);
      await c.stop();
    });

    it('drops a second publish with the same msgId', async () => {
      await t.bus.publish(subject, data('first'), { msgId: 'dup' });
      await t.bus.publish(subject, data('second'), { msgId: 'dup' });
      await t.bus.publish(subject, data('other'), { msgId: 'other' });
      expect(await t.ingestCount()).toBe(2);
      const received: string[] = [];
      const c = await t.bus.consume(consumer('rules'), async (m) => {
        received.push(text(m));
        await m.ack();
      });
      await eventually(() => expect(received).toEqual(['first', 'other']));
      await c.stop();
    });

    it('redelivers after a nak, not before its delay, counting deliveries', async () => {
      await t.bus.publish(subject, data('x'), { msgId: 'n1' });
      const seen: { count: number; at: number }[] = [];
      const c = await t.bus.consume(consumer('rules'), async (m) => {
        seen.push({ count: m.deliveryCount, at: Date.now() });
        if (m.deliveryCount === 1) m.nak(300);
        else await m.ack();
      });
      await eventually(() => expect(seen.map((s) => s.count)).toEqual([1, 2]));
      expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(250);
      await c.stop();
    });

    it('redelivers a message that was not acked within ackWait', async () => {
      await t.bus.publish(subject, data('slow'), { msgId: 'w1' });
      const counts: number[] = [];
      const c = await t.bus.consume(consumer('rules', { ackWaitMs: 500 }), async (m) => {
        counts.push(m.deliveryCount);
        if (m.deliveryCount > 1) await m.ack();
      });
      await eventually(() => expect(counts).toEqual([1, 2]), { timeoutMs: 5_000 });
      await c.stop();
    });

    it('stops delivering a message after maxDeliver attempts', async () => {
      await t.bus.publish(subject, data('a'), { msgId: 'a' });
      const counts = new Map<string, number>();
      const c = await t.bus.consume(consumer('rules', { maxDeliver: 2 }), (m) => {
        counts.set(m.msgId, m.deliveryCount);
        m.nak();
        return Promise.resolve();
      });
      await eventually(() => expect(counts.get('a')).toBe(2));
      // a later message goes through the same two rounds; by then a third 'a' would have come
      await t.bus.publish(subject, data('b'), { msgId: 'b' });
      await eventually(() => expect(counts.get('b')).toBe(2));
      expect(counts.get('a')).toBe(2);
      await c.stop();
    });

    it('never redelivers a terminated message, and drops it from a work-queue stream', async () => {
      await t.bus.publish(subject, data('poison'), { msgId: 'p1' });
      const seen: string[] = [];
      const c = await t.bus.consume(consumer('rules', { ackWaitMs: 300 }), async (m) => {
        seen.push(m.msgId);
        if (m.msgId === 'p1') m.term();
        else await m.ack();
      });
      await eventually(async () => expect(await t.ingestCount()).toBe(0));
      // a later message comes after the ackWait in which a redelivery of p1 would have come
      await new Promise((resolve) => setTimeout(resolve, 400)); // let ackWait pass: the property is about time
      await t.bus.publish(subject, data('next'), { msgId: 'n1' });
      await eventually(() => expect(seen).toEqual(['p1', 'n1']));
      await c.stop();
    });

    it('working() extends the ack deadline of a slow handler', async () => {
      await t.bus.publish(subject, data('slow'), { msgId: 's1' });
      const counts: number[] = [];
      const c = await t.bus.consume(consumer('rules', { ackWaitMs: 400 }), async (m) => {
        counts.push(m.deliveryCount);
        // simulated work of 3 ack waits, reporting progress twice per ack wait
        for (let i = 0; i < 6; i++) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          m.working();
        }
        await m.ack();
      });
      await eventually(async () => expect(await t.ingestCount()).toBe(0), { timeoutMs: 5_000 });
      expect(counts).toEqual([1]);
      await c.stop();
    });

    it('redelivers when the handler throws', async () => {
      await t.bus.publish(subject, data('boom'), { msgId: 'e1' });
      const counts: number[] = [];
      const c = await t.bus.consume(consumer('rules'), async (m) => {
        counts.push(m.deliveryCount);
        if (m.deliveryCount === 1) throw new Error('handler bug');
        await m.ack();
      });
      await eventually(() => expect(counts).toEqual([1, 2]));
      await c.stop();
    });

    it('keeps at most maxAckPending messages unacknowledged', async () => {
      for (let i = 0; i < 10; i++) await t.bus.publish(subject, data(`m${i}`), { msgId: `m${i}` });
      const held: BusMessage[] = [];
      let maxHeld = 0;
      const c = await t.bus.consume(consumer('rules', { maxAckPending: 3 }), (m) => {
        held.push(m);
        maxHeld = Math.max(maxHeld, held.length);
        return Promise.resolve();
      });
      await eventually(() => expect(held).toHaveLength(3));
      await held.shift()!.ack();
      await eventually(() => expect(held).toHaveLength(3));
      // ack the three held now (a snapshot: more arrive while we ack)
      for (const m of held.splice(0)) await m.ack();
      await eventually(() => expect(held).toHaveLength(3));
      expect(maxHeld).toBe(3);
      for (const m of held.splice(0)) await m.ack();
      await c.stop();
    });

    it('reports a durable consumer backlog: not yet delivered and unacknowledged', async () => {
      const backlog = (durable: string) => t.bus.consumerBacklog!('INGEST', durable);
      expect(await backlog('rules')).toBeUndefined();
      for (let i = 0; i < 5; i++) await t.bus.publish(subject, data(`b${i}`), { msgId: `b${i}` });
      const held: BusMessage[] = [];
      const c = await t.bus.consume(consumer('rules', { maxAckPending: 2 }), (m) => {
        held.push(m);
        return Promise.resolve();
      });
      await eventually(() => expect(held).toHaveLength(2));
      expect(await backlog('rules')).toEqual({ pending: 3, ackPending: 2 });
      await held[0]!.ack();
      await eventually(async () => expect(await backlog('rules')).toEqual({ pending: 2, ackPending: 2 }));
      for (const m of held.splice(0)) await m.ack();
      await c.stop();
    });

    it('splits the work of one durable between two consumers', async () => {
      const byA: string[] = [];
      const byB: string[] = [];
      const handler = (into: string[]) => async (m: BusMessage) => {
        into.push(m.msgId);
        await new Promise((resolve) => setImmediate(resolve));
        await m.ack();
      };
      const a = await t.bus.consume(consumer('rules', { maxAckPending: 10 }), handler(byA));
      const b = await t.bus.consume(consumer('rules', { maxAckPending: 10 }), handler(byB));
      const ids = Array.from({ length: 100 }, (_, i) => `s${i}`);
      await Promise.all(ids.map((id) => t.bus.publish(subject, data(id), { msgId: id })));
      await eventually(() => expect(byA.length + byB.length).toBe(100));
      expect(new Set([...byA, ...byB])).toEqual(new Set(ids));
      expect(byA.length).toBeGreaterThan(0);
      expect(byB.length).toBeGreaterThan(0);
      await Promise.all([a.stop(), b.stop()]);
    });

    it('refuses a second durable whose filter overlaps the first on a work-queue stream', async () => {
      const first = await t.bus.consume(consumer('rules'), (m) => m.ack());
      await expect(
        t.bus.consume({ ...consumer('other'), filterSubject: t.subjects.ingestForTenant('acme') }, (m) =>
          m.ack(),
        ),
      ).rejects.toMatchObject({ code: 'BUS_CONSUMER_CONFLICT' });
      // the same durable again is a second replica, not a conflict
      const replica = await t.bus.consume(consumer('rules'), (m) => m.ack());
      await Promise.all([first.stop(), replica.stop()]);
    });

    it('stop() waits for the handlers in flight', async () => {
      await t.bus.publish(subject, data('x'), { msgId: 'x' });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let started = false;
      let finished = false;
      const c = await t.bus.consume(consumer('rules'), async (m) => {
        started = true;
        await gate;
        await m.ack();
        finished = true;
      });
      await eventually(() => expect(started).toBe(true));
      const stopped = c.stop();
      release();
      await stopped;
      expect(finished).toBe(true);
      expect(await t.ingestCount()).toBe(0);
    });

    it('delivers notifications to matching listeners until they unsubscribe', async () => {
      const got: [string, string][] = [];
      const off = t.bus.onNotify(t.subjects.usage(), (bytes, s) =>
        got.push([s, new TextDecoder().decode(bytes)]),
      );
      await t.bus.notify(t.subjects.usage('acme'), data('42 actions'));
      await eventually(() => expect(got).toEqual([[t.subjects.usage('acme'), '42 actions']]));
      off();
      await t.bus.notify(t.subjects.usage('acme'), data('again'));
      const marker: string[] = [];
      const offMarker = t.bus.onNotify(t.subjects.usage('zeta'), () => marker.push('m'));
      await t.bus.notify(t.subjects.usage('zeta'), data('marker'));
      await eventually(() => expect(marker).toHaveLength(1));
      expect(got).toHaveLength(1);
      offMarker();
    });

    it('reads what a stream stores without consuming it, gets one by sequence and deletes it', async () => {
      const dlqA = t.subjects.dlq('acme', 'c1');
      await t.bus.publish(dlqA, data('a1'), { msgId: 'd1' });
      await t.bus.publish(t.subjects.dlq('other', 'c1'), data('o1'), { msgId: 'd2' });
      await t.bus.publish(t.subjects.dlq('acme', 'c2'), data('a2'), { msgId: 'd3' });
      const acme = await t.bus.storedMessages!('DLQ', t.subjects.dlqForTenant('acme'), 10);
      expect(acme.map((m) => new TextDecoder().decode(m.data))).toEqual(['a1', 'a2']);
      expect((await t.bus.storedMessages!('DLQ', t.subjects.dlqForTenant('acme'), 1)).length).toBe(1);
      // reading twice finds the same: a read is not a consumption
      const again = await t.bus.storedMessages!('DLQ', dlqA, 10);
      expect(again.map((m) => m.seq)).toEqual([acme[0]!.seq]);
      const one = await t.bus.storedMessage!('DLQ', acme[1]!.seq);
      expect(one?.subject).toBe(t.subjects.dlq('acme', 'c2'));
      expect(await t.bus.deleteStoredMessage!('DLQ', acme[1]!.seq)).toBe(true);
      expect(await t.bus.storedMessage!('DLQ', acme[1]!.seq)).toBeUndefined();
      expect(await t.bus.deleteStoredMessage!('DLQ', acme[1]!.seq)).toBe(false);
      expect(await t.bus.storedMessages!('DLQ', t.subjects.dlqForTenant('acme'), 10)).toHaveLength(1);
    });

    it('rejects a subject that no stream stores', async () => {
      await expect(t.bus.publish(t.subjects.usage('acme'), data('x'), { msgId: 'c' })).rejects.toMatchObject({
        code: 'BUS_NO_STREAM',
      });
    });

    it('reports up while open, and refuses to publish once closed', async () => {
      expect(t.bus.health().status).toBe('up');
      await t.bus.close();
      expect(t.bus.health().status).toBe('down');
      await expect(t.bus.publish(subject, data('late'), { msgId: 'late' })).rejects.toMatchObject({
        code: 'BUS_UNAVAILABLE',
      });
    });
  });
}
