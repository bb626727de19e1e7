import { z } from 'zod';
import { busConfigShape, createSubjects, defaultBusConfig, JetStreamBus } from '@sluice/bus';

const schema = z.object(busConfigShape);

describe('busConfigShape', () => {
  it('defaults to the in-process bus and local NATS, with explicit stream limits', () => {
    const config = defaultBusConfig();
    expect(config.SLUICE_BUS).toBe('in-process');
    expect(config.SLUICE_NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(config.SLUICE_BUS_NAMESPACE).toBe('');
    expect(config.SLUICE_BUS_INGEST_MAX_BYTES).toBe(256 * 1024 ** 2);
    expect(config.SLUICE_BUS_DLQ_MAX_AGE_MS).toBe(14 * 24 * 3_600_000);
    expect(config.SLUICE_BUS_DUPLICATE_WINDOW_MS).toBe(120_000);
    expect(config.SLUICE_BUS_MAX_DELIVER).toBe(-1);
  });

  it('reads numbers and lists from environment strings', () => {
    const config = schema.parse({
      SLUICE_BUS: 'nats',
      SLUICE_NATS_URL: 'nats://a:4222, nats://b:4222',
      SLUICE_BUS_ACTIONS_MAX_MSGS: '5000',
      SLUICE_BUS_MAX_DELIVER: '10',
    });
    expect(config.SLUICE_BUS_ACTIONS_MAX_MSGS).toBe(5000);
    expect(config.SLUICE_BUS_MAX_DELIVER).toBe(10);
  });

  it.each([
    ['SLUICE_BUS', 'kafka'],
    ['SLUICE_NATS_URL', 'not a url'],
    ['SLUICE_BUS_NAMESPACE', 'a.b'],
    ['SLUICE_BUS_INGEST_MAX_BYTES', '0'],
    ['SLUICE_BUS_MAX_DELIVER', '0'],
    ['SLUICE_BUS_DLQ_DISCARD', 'oldest'],
    ['SLUICE_BUS_REPLICAS', '7'],
    ['SLUICE_BUS_BATCH_LINGER_MS', '-1'],
    ['SLUICE_BUS_BATCH_LINGER_MS', '101'],
  ])('rejects %s=%j, naming the setting', (key, value) => {
    const result = schema.safeParse({ [key]: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual([key]);
  });

  it("gives the JetStream bus's batch publishers the configured linger, 4 ms unless set", () => {
    const subjects = createSubjects();
    expect(new JetStreamBus(defaultBusConfig(), subjects).batching).toEqual({ lingerMs: 4 });
    const config = defaultBusConfig(schema.parse({ SLUICE_BUS_BATCH_LINGER_MS: '0' }));
    expect(new JetStreamBus(config, subjects).batching).toEqual({ lingerMs: 0 });
  });
});
