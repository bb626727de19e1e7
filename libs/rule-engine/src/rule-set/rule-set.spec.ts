import { compileRule, RuleMetrics, RuleSet } from '../index';

describe('RuleSet', () => {
  it('evaluates the rules matching a topic and counts their metrics like EMQX', () => {
    const rules = new RuleSet();
    rules.add('hot', compileRule('SELECT payload.t AS t FROM "s/+" WHERE payload.t > 30'));
    rules.add('all', compileRule('SELECT * FROM "s/#"'));
    rules.add('bad', compileRule('SELECT payload.t / 0 AS x FROM "s/+"'));
    rules.add('elsewhere', compileRule('SELECT * FROM "x/#"'));

    const outcomes = rules.apply({ topic: 's/1', payload: '{"t":20}' });
    expect(outcomes.map((o) => o.entry.id).sort()).toEqual(['all', 'bad', 'hot']);
    rules.apply({ topic: 's/1', payload: '{"t":40}' });

    expect(rules.get('hot')?.metrics.snapshot()).toMatchObject({
      matched: 2,
      passed: 1,
      failed: 1,
      'failed.no_result': 1,
      'failed.exception': 0,
    });
    expect(rules.get('bad')?.metrics.snapshot()).toMatchObject({
      matched: 2,
      passed: 0,
      failed: 2,
      'failed.exception': 2,
    });
    expect(rules.get('elsewhere')?.metrics.snapshot().matched).toBe(0);
  });

  it('replaces and removes rules', () => {
    const rules = new RuleSet();
    rules.add('r', compileRule('SELECT * FROM "a"'));
    rules.add('r', compileRule('SELECT * FROM "b"'));
    expect(rules.size).toBe(1);
    expect(rules.matching('a')).toEqual([]);
    expect(rules.matching('b').map((e) => e.id)).toEqual(['r']);
    expect(rules.remove('r')).toBe(true);
    expect(rules.remove('r')).toBe(false);
    expect(rules.matching('b')).toEqual([]);
  });

  it('lists a rule once when several of its filters match', () => {
    const rules = new RuleSet();
    rules.add('r', compileRule('SELECT * FROM "a/#", "a/b"'));
    expect(rules.matching('a/b')).toHaveLength(1);
  });
});

describe('RuleMetrics', () => {
  it('counts FOREACH with no items as no_result and actions by outcome', () => {
    const metrics = new RuleMetrics(() => 0);
    metrics.recordResult({ matched: true, outputs: [] });
    metrics.recordAction('success');
    metrics.recordAction('out_of_service');
    metrics.recordAction('success');
    metrics.recordAction('unknown');
    expect(metrics.snapshot()).toMatchObject({
      matched: 1,
      'failed.no_result': 1,
      'actions.total': 4,
      'actions.success': 2,
      'actions.failed': 2,
      'actions.failed.out_of_service': 1,
      'actions.failed.unknown': 1,
    });
  });

  it('computes the matched rate over 5 seconds, its maximum and the 5-minute average', () => {
    let now = 1_000_000;
    const metrics = new RuleMetrics(() => now);
    for (let second = 0; second < 5; second++) {
      for (let i = 0; i < 10; i++) metrics.recordResult({ matched: false });
      now += 1000;
    }
    now -= 1000;
    // 50 matches in the last 5 seconds: 10 per second
    expect(metrics.snapshot()['matched.rate']).toBe(10);
    expect(metrics.snapshot()['matched.rate.last5m']).toBeCloseTo(50 / 300);
    now += 10_000;
    const later = metrics.snapshot();
    expect(later['matched.rate']).toBe(0);
    expect(later['matched.rate.max']).toBe(10);
    now += 400_000;
    expect(metrics.snapshot()['matched.rate.last5m']).toBe(0);
  });
});
