import { createSubjects, defaultBusConfig, InProcessBus } from '@sluice/bus';
import { eventually } from '../../../test/support';
import { UsageMeter, type StageLogger } from '@sluice/pipeline';
import { usageMonthOf, type UsageReport } from './usage-meter';

const subjects = createSubjects('T_usage_');
const quiet: StageLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('UsageMeter', () => {
  it('names the billing month in UTC', () => {
    expect(usageMonthOf(Date.UTC(2026, 10, 30, 23, 59))).toBe('2026-11');
    expect(usageMonthOf(Date.UTC(2026, 11, 1, 0, 0))).toBe('2026-12');
  });

  it('sums per tenant and month and sends one report each on flush', async () => {
    const bus = new InProcessBus(defaultBusConfig(), subjects);
    await bus.start();
    const received: UsageReport[] = [];
    bus.onNotify(subjects.usage(), (data) =>
      received.push(JSON.parse(Buffer.from(data).toString()) as UsageReport),
    );
    const meter = new UsageMeter(bus, subjects, quiet);
    const nov = Date.UTC(2026, 10, 15);
    meter.record('acme', 1, nov);
    meter.record('acme', 2, nov);
    meter.record('globex', 1, nov);
    meter.record('acme', 5, Date.UTC(2026, 11, 1));
    await meter.flush();
    await eventually(() => expect(received).toHaveLength(3));
    expect(received).toEqual(
      expect.arrayContaining([
        { tenant: 'acme', month: '2026-11', ruleActions: 3 },
        { tenant: 'globex', month: '2026-11', ruleActions: 1 },
        { tenant: 'acme', month: '2026-12', ruleActions: 5 },
      ]),
    );
    expect(received).toHaveLength(3);
    await meter.flush();
    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toHaveLength(3);
    await bus.close();
  });

  it('puts each record in its own month at the boundaries, in any order', async () => {
    const bus = new InProcessBus(defaultBusConfig(), subjects);
    await bus.start();
    const received: UsageReport[] = [];
    bus.onNotify(subjects.usage(), (data) =>
      received.push(JSON.parse(Buffer.from(data).toString()) as UsageReport),
    );
    const meter = new UsageMeter(bus, subjects, quiet);
    const december = Date.UTC(2026, 11, 1);
    meter.record('acme', 1, december - 1);
    meter.record('acme', 10, december);
    meter.record('acme', 100, december - 1);
    meter.record('acme', 1000, Date.UTC(2027, 0, 1) - 1);
    meter.record('acme', 10000, Date.UTC(2027, 0, 1));
    await meter.flush();
    await eventually(() => expect(received).toHaveLength(3));
    expect(received).toEqual(
      expect.arrayContaining([
        { tenant: 'acme', month: '2026-11', ruleActions: 101 },
        { tenant: 'acme', month: '2026-12', ruleActions: 1010 },
        { tenant: 'acme', month: '2027-01', ruleActions: 10000 },
      ]),
    );
    await bus.close();
  });

  it('keeps a report it could not send and adds it to the next one', async () => {
    const bus = new InProcessBus(defaultBusConfig(), subjects);
    await bus.start();
    const received: UsageReport[] = [];
    bus.onNotify(subjects.usage(), (data) =>
      received.push(JSON.parse(Buffer.from(data).toString()) as UsageReport),
    );
    let failing = true;
    const flaky = new Proxy(bus, {
      get: (target, prop) =>
        prop === 'notify' && failing
          ? () => Promise.reject(new Error('NATS is down'))
          : (Reflect.get(target, prop) as unknown),
    });
    const warnings: string[] = [];
    const meter = new UsageMeter(flaky, subjects, { ...quiet, warn: (m) => warnings.push(m) });
    const nov = Date.UTC(2026, 10, 15);
    meter.record('acme', 2, nov);
    await meter.flush();
    expect(warnings[0]).toMatch(/not sent, keeping it: NATS is down/);
    failing = false;
    meter.record('acme', 1, nov);
    await meter.flush();
    await eventually(() => expect(received).toEqual([{ tenant: 'acme', month: '2026-11', ruleActions: 3 }]));
    await bus.close();
  });
});
