import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import {
  BUS,
  BusModule,
  createBus,
  createSubjects,
  defaultBusConfig,
  InProcessBus,
  JetStreamBus,
  type Bus,
} from '@sluice/bus';
import { HealthModule, ReadinessRegistry } from '@sluice/health';
import { eventually } from '../../../test/support';

const dataDir = mkdtempSync(join(tmpdir(), 'sluice-bus-module-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('createBus', () => {
  it('builds the in-process bus on a log in SLUICE_DATA_DIR by default and the JetStream bus for SLUICE_BUS=nats', async () => {
    const bus = createBus(defaultBusConfig({ SLUICE_DATA_DIR: dataDir }));
    expect(bus).toBeInstanceOf(InProcessBus);
    expect(existsSync(join(dataDir, 'bus.db'))).toBe(true);
    await bus.close();
    expect(createBus(defaultBusConfig({ SLUICE_BUS: 'nats' }))).toBeInstanceOf(JetStreamBus);
  });

  it('rejects a namespace that cannot prefix stream names', () => {
    expect(() => createBus(defaultBusConfig({ SLUICE_BUS_STORAGE: 'memory' }), { namespace: 'a.b' })).toThrow(
      expect.objectContaining({ code: 'BUS_INVALID_SUBJECT_TOKEN' }),
    );
  });
});

describe('BusModule', () => {
  it('provides a started bus under BUS and closes it when the application shuts down', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        HealthModule,
        BusModule.forRoot(defaultBusConfig({ SLUICE_BUS: 'in-process', SLUICE_DATA_DIR: dataDir })),
      ],
    }).compile();
    const app = moduleRef.createNestApplication();
    await app.init();
    const bus = app.get<Bus>(BUS);
    expect(bus).toBeInstanceOf(InProcessBus);
    const probe = app
      .get(ReadinessRegistry)
      .list()
      .find((p) => p.name === 'bus');
    expect(await probe?.check()).toEqual({ up: true, detail: undefined });
    const subjects = createSubjects();
    const got: string[] = [];
    await bus.consume(
      { stream: 'INGEST', durable: 'rules', filterSubject: subjects.ingestAll() },
      async (m) => {
        got.push(m.msgId);
        await m.ack();
      },
    );
    await bus.publish(subjects.ingest('acme', 's'), new Uint8Array([1]), { msgId: 'm1' });
    await eventually(() => expect(got).toEqual(['m1']));
    await app.close();
    expect(bus.health().status).toBe('down');
  });
});
