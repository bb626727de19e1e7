import { createSubjects } from '@sluice/bus';

describe('createSubjects', () => {
  const s = createSubjects();
  const t = createSubjects('T_ab12_');

  it('builds the subjects of each stream under the sluice root', () => {
    expect(s.ingest('acme', 'plant-a')).toBe('sluice.ingest.acme.plant-a');
    expect(s.actions('acme', 'http-1')).toBe('sluice.actions.acme.http-1');
    expect(s.dlq('acme', 'http-1')).toBe('sluice.dlq.acme.http-1');
  });

  it('builds the filters', () => {
    expect(s.ingestAll()).toBe('sluice.ingest.>');
    expect(s.ingestForTenant('acme')).toBe('sluice.ingest.acme.>');
    expect(s.actionsAll()).toBe('sluice.actions.>');
    expect(s.actionsForConnector('http-1')).toBe('sluice.actions.*.http-1');
    expect(s.dlqAll()).toBe('sluice.dlq.>');
    expect(s.status('acme')).toBe('sluice.status.acme');
    expect(s.status()).toBe('sluice.status.*');
    expect(t.streamOf(t.status('acme'))).toBeUndefined();
    expect(s.metrics('acme')).toBe('sluice.metrics.acme');
    expect(s.metrics()).toBe('sluice.metrics.*');
    expect(s.ruleTap()).toBe('sluice.tap.*');
    expect(t.ruleTrace('acme', 'r1')).toBe('T_ab12_sluice.trace.acme.r1');
    expect(t.streamOf(t.ruleTrace('acme', 'r1'))).toBeUndefined();
    expect(() => s.ruleTrace('acme', 'a.b')).toThrow(/invalid rule id/);
  });

  it('prefixes subjects and stream names with the namespace', () => {
    expect(t.ingest('acme', 'p')).toBe('T_ab12_sluice.ingest.acme.p');
    expect(t.stream('INGEST')).toBe('T_ab12_INGEST');
    expect(t.stream('DLQ')).toBe('T_ab12_DLQ');
    expect(s.stream('ACTIONS')).toBe('ACTIONS');
    expect(t.streamSubjects('ACTIONS')).toEqual(['T_ab12_sluice.actions.>']);
  });

  it('tells which stream stores a subject', () => {
    expect(t.streamOf(t.ingest('a', 'b'))).toBe('INGEST');
    expect(t.streamOf(t.actions('a', 'b'))).toBe('ACTIONS');
    expect(t.streamOf(t.dlq('a', 'b'))).toBe('DLQ');
    expect(t.streamOf(t.usage('a'))).toBeUndefined();
    // another namespace's subject is not ours
    expect(t.streamOf(s.ingest('a', 'b'))).toBeUndefined();
  });

  it.each(['a.b', 'a*', '>', 'a b', 'tab\t', '', 'x/y'])('rejects the token %j', (bad) => {
    expect(() => s.ingest(bad, 'src')).toThrow(
      expect.objectContaining({ code: 'BUS_INVALID_SUBJECT_TOKEN' }),
    );
    expect(() => s.actions('acme', bad)).toThrow(
      expect.objectContaining({ code: 'BUS_INVALID_SUBJECT_TOKEN' }),
    );
    expect(() => s.dlq(bad, 'c')).toThrow(/invalid tenant/);
    expect(() => s.durable(bad)).toThrow(/invalid durable name/);
  });

  it('rejects a namespace that cannot prefix a stream name', () => {
    expect(() => createSubjects('a.b')).toThrow(
      expect.objectContaining({ code: 'BUS_INVALID_SUBJECT_TOKEN' }),
    );
    expect(() => createSubjects('T *')).toThrow(/namespace/);
  });
});
