import { registeredMetrics } from '../../../test/support/registered-metrics';

// The naming rules of docs/operations.md ("What to watch"), over every registered metric.
describe('metric names', () => {
  const all = registeredMetrics();
  const ours = all.filter((m) => m.name.startsWith('sluice_'));

  it('registers a good number of Sluice metrics and the Node.js defaults under their standard names', () => {
    expect(ours.length).toBeGreaterThan(40);
    const names = all.map((m) => m.name);
    for (const standard of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_gc_duration_seconds',
    ])
      expect(names).toContain(standard);
    // everything else is ours: no prefixed copy of the defaults, nothing unprefixed of our own
    expect(names.filter((n) => !/^(sluice|process|nodejs)_/.test(n))).toEqual([]);
    expect(names.filter((n) => n.startsWith('sluice_process_') || n.startsWith('sluice_nodejs_'))).toEqual(
      [],
    );
  });

  it('names every Sluice metric sluice_<area>_<what>[_<unit>] in snake case with a singular area', () => {
    const areas = new Set([
      'action',
      'build',
      'bus',
      'connector',
      'consumer',
      'http',
      'rule',
      'source',
      'stream',
      'tenant',
    ]);
    for (const { name } of ours) {
      expect(name, name).toMatch(/^sluice_[a-z]+(_[a-z0-9]+)+$/);
      expect(areas, name).toContain(name.split('_')[1]);
    }
  });

  it('ends counters in _total and only counters, spells in_flight, and uses base units', () => {
    for (const { name, type } of ours) {
      expect(name.endsWith('_total'), `${name} (${type})`).toBe(type === 'counter');
      expect(name, name).not.toMatch(/inflight|_ms$|_milliseconds|_kb$|_mb$|_percent$/);
      if (name.endsWith('_info')) expect(type, name).toBe('gauge');
    }
  });
});
