import { ReplicaReports, type ReplicaAnnouncement } from './replica-reports';

const from = (node: string, at: number, extra: Partial<ReplicaAnnouncement> = {}): ReplicaAnnouncement => ({
  tenant: 'acme',
  node,
  at,
  ttlMs: 0,
  gone: false,
  ...extra,
});

describe('ReplicaReports', () => {
  it("keeps each replica's latest value, sorted by node", () => {
    const reports = new ReplicaReports<string>(1_000);
    reports.put('k', from('b', 10), () => 'b1', 0);
    reports.put('k', from('a', 10), () => 'a1', 0);
    reports.put('k', from('b', 20), () => 'b2', 0);
    expect(reports.live('k', 0)).toEqual([
      ['a', 'a1'],
      ['b', 'b2'],
    ]);
  });

  it('ignores an announcement older than the one it holds (out of order)', () => {
    const reports = new ReplicaReports<string>(1_000);
    reports.put('k', from('a', 20), () => 'new', 0);
    reports.put('k', from('a', 10), () => 'old', 0);
    expect(reports.live('k', 0)).toEqual([['a', 'new']]);
  });

  it('drops a replica that withdraws (gone), and forgets a key with none left', () => {
    const reports = new ReplicaReports<string>(1_000);
    reports.put('k', from('a', 10), () => 'x', 0);
    reports.put('k', from('a', 11, { gone: true }), () => 'unused', 0);
    expect(reports.live('k', 0)).toEqual([]);
    // a late announcement from before the withdrawal comes back: nothing remembers the withdrawal
    reports.put('k', from('a', 5), () => 'late', 0);
    expect(reports.live('k', 0)).toEqual([['a', 'late']]);
  });

  it("expires a replica after its own TTL, or the board's default, on the board's clock", () => {
    const reports = new ReplicaReports<string>(1_000);
    reports.put('k', from('short', 10, { ttlMs: 100 }), () => 's', 5_000);
    reports.put('k', from('default', 10), () => 'd', 5_000);
    expect(reports.live('k', 5_100).map(([node]) => node)).toEqual(['default', 'short']);
    expect(reports.live('k', 5_101).map(([node]) => node)).toEqual(['default']);
    expect(reports.live('k', 6_001)).toEqual([]);
  });
});
