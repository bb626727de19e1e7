import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BusLogUnreadableError,
  createBus,
  createSubjects,
  defaultBusConfig,
  InProcessBus,
  type Bus,
  type BusConfig,
  type BusMessage,
} from '@sluice/bus';
import { describeBusContract } from '../../test/bus-contract';
import { eventually } from '../../../../test/support';
import { SqliteBusStore } from './sqlite-bus-store';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bus-log-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const subjects = createSubjects('');
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (m: BusMessage) => new TextDecoder().decode(m.data);

function fileBus(dir: string, overrides: Partial<BusConfig> = {}): InProcessBus {
  return createBus(defaultBusConfig({ SLUICE_DATA_DIR: dir, ...overrides })) as InProcessBus;
}

/** Everything a durable consumer gets from INGEST until `count` arrived, acked as it comes. */
async function drain(bus: Bus, count: number, durable = 'rules'): Promise<BusMessage[]> {
  const got: BusMessage[] = [];
  const c = await bus.consume(
    { stream: 'INGEST', durable, filterSubject: subjects.ingestAll() },
    async (m) => {
      got.push(m);
      await m.ack();
    },
  );
  await eventually(() => expect(got.length).toBeGreaterThanOrEqual(count));
  await c.stop();
  return got;
}

describeBusContract(
  'InProcessBus on a log file',
  async () => {
    const bus = fileBus(tempDir());
    await bus.start();
    return {
      bus,
      subjects,
      ingestCount: () => Promise.resolve(bus.streamSize('INGEST').messages),
      dispose: () => bus.close(),
    };
  },
  { maxMessages: 1_000_000, maxBytes: 256 * 1024 ** 2 },
);

describe('InProcessBus on a log file: durability', () => {
  const subject = subjects.ingest('acme', 'src');

  it('delivers after a restart what was stored and not acked, with its id and headers, and not what was acked', async () => {
    const dir = tempDir();
    const first = fileBus(dir);
    await first.start();
    for (const id of ['a', 'b', 'c'])
      await first.publish(subject, bytes(id), { msgId: id, headers: { h: id } });
    await first.publish(subjects.dlq('acme', 'conn'), bytes('dead'), { msgId: 'd1' });
    const acked = await drain(first, 1);
    expect(acked.map((m) => m.msgId)).toContain('a');
    await first.close();

    const second = fileBus(dir);
    await second.start();
    expect(second.streamSize('INGEST').messages).toBe(3 - acked.length);
    expect(second.streamSize('DLQ').messages).toBe(1);
    const rest = await drain(second, 3 - acked.length);
    expect(rest.map((m) => [m.msgId, text(m), m.headers['h']])).toEqual(
      ['a', 'b', 'c'].filter((id) => !acked.some((m) => m.msgId === id)).map((id) => [id, id, id]),
    );
    await second.close();
  });

  it('keeps message bodies beyond its memory bound on disk only, and reads them back in order', async () => {
    const bus = fileBus(tempDir(), { SLUICE_BUS_MEMORY_MAX_BYTES: 1_000 });
    await bus.start();
    const ids = Array.from({ length: 200 }, (_, i) => `m${i}`);
    await Promise.all(ids.map((id) => bus.publish(subject, new Uint8Array(100).fill(7), { msgId: id })));
    const got = await drain(bus, ids.length);
    expect(got.map((m) => m.msgId)).toEqual(ids);
    expect(got.every((m) => m.data.length === 100 && m.data[99] === 7)).toBe(true);
    await bus.close();
  });

  it('continues sequences after a restart and still drops a repeated id within the window', async () => {
    const dir = tempDir();
    const first = fileBus(dir);
    await first.start();
    await first.publish(subject, bytes('x'), { msgId: 'same' });
    await first.close();
    const second = fileBus(dir);
    await second.start();
    await second.publish(subject, bytes('x again'), { msgId: 'same' });
    await second.publish(subject, bytes('y'), { msgId: 'other' });
    expect(second.streamSize('INGEST').messages).toBe(2);
    await second.close();
  });

  it('refuses to start on a file that is not a bus log, naming it, and leaves the file as it was', () => {
    const dir = tempDir();
    const file = join(dir, 'bus.db');
    writeFileSync(file, 'this is not a SQLite database, it is garbage '.repeat(200));
    let error: unknown;
    try {
      fileBus(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BusLogUnreadableError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(/not a database/);
  });

  it('refuses publishes with BUS_FULL when the disk is full, loses none it confirmed, and accepts again once there is room', async () => {
    const dir = tempDir();
    const store = SqliteBusStore.open(join(dir, 'bus.db'), { sync: 'normal', maxFileBytes: 256 * 1024 });
    const bus = new InProcessBus(defaultBusConfig(), subjects, undefined, store);
    await bus.start();
    const confirmed: string[] = [];
    let refused: unknown;
    for (let i = 0; i < 1_000 && !refused; i++) {
      await bus.publish(subject, new Uint8Array(1_000), { msgId: `f${i}` }).then(
        () => confirmed.push(`f${i}`),
        (error: unknown) => (refused = error),
      );
    }
    expect(refused).toMatchObject({
      code: 'BUS_FULL',
      message: expect.stringContaining('is full') as string,
    });
    expect(bus.health()).toMatchObject({
      status: 'down',
      detail: expect.stringContaining('bus.db') as string,
    });
    expect(bus.streamSize('INGEST').messages).toBe(confirmed.length);
    // draining the backlog makes room: every confirmed message comes out, then publishes work again
    const got = await drain(bus, confirmed.length);
    expect(got.map((m) => m.msgId)).toEqual(confirmed);
    await eventually(() => bus.publish(subject, new Uint8Array(1_000), { msgId: 'after' }));
    expect(bus.health().status).toBe('up');
    await bus.close();
  });
});
