import { SluiceMetrics } from '@sluice/telemetry';
import { TurnCounts } from './turn-counts';

describe('TurnCounts', () => {
  it('adds up per counter and hands over once at the end of the turn', async () => {
    const incs: number[] = [];
    const counter = { inc: (n = 1) => void incs.push(n) };
    const counts = new TurnCounts();
    counts.add(counter);
    counts.add(counter, 3);
    counts.add(undefined);
    expect(incs).toEqual([]);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(incs).toEqual([4]);
  });

  it('counts what is pending when the metrics are read within the same turn', async () => {
    const metrics = new SluiceMetrics({ defaultMetrics: false });
    const counts = new TurnCounts(metrics);
    counts.add(metrics.ruleMatched.labels({ tenant: 'acme', rule: 'r1' }), 2);
    expect(await metrics.render()).toContain('sluice_rule_matched_total{tenant="acme",rule="r1"} 2');
  });
});
