import { SluiceMetrics, type SourceConnectionSample } from '@sluice/telemetry';

function sample(client: string, overrides: Partial<SourceConnectionSample> = {}): SourceConnectionSample {
  return {
    client,
    connected: true,
    received: 0,
    stored: 0,
    acked: 0,
    bytes: 0,
    droppedByReason: {},
    inFlight: 0,
    reconnects: 0,
    ...overrides,
  };
}

describe('per-connection source metrics', () => {
  it("reports each connection's counters at scrape time, and nothing once untracked", async () => {
    const metrics = new SluiceMetrics({ defaultMetrics: false });
    let received = 3;
    const untrack = metrics.sourceConnections.track('acme', 'devices', () => [
      sample('c-0', {
        received,
        stored: 2,
        acked: 2,
        bytes: 150,
        inFlight: 1,
        droppedByReason: { overload: 0 },
      }),
      sample('c-1', { connected: false, reconnects: 4, droppedByReason: { 'sink-failed': 5 } }),
    ]);
    const c0 = 'tenant="acme",source="devices",client="c-0"';
    const c1 = 'tenant="acme",source="devices",client="c-1"';
    let text = await metrics.render();
    expect(text).toContain(`sluice_source_connection_messages_received_total{${c0}} 3`);
    expect(text).toContain(`sluice_source_connection_messages_stored_total{${c0}} 2`);
    expect(text).toContain(`sluice_source_connection_messages_acked_total{${c0}} 2`);
    expect(text).toContain(`sluice_source_connection_received_bytes_total{${c0}} 150`);
    expect(text).toContain(`sluice_source_connection_in_flight_messages{${c0}} 1`);
    expect(text).toContain(`sluice_source_connection_up{${c0}} 1`);
    expect(text).toContain(`sluice_source_connection_up{${c1}} 0`);
    expect(text).toContain(`sluice_source_connection_reconnects_total{${c1}} 4`);
    expect(text).toContain(`sluice_source_connection_messages_dropped_total{${c1},reason="sink-failed"} 5`);
    received = 7; // the source's own counter moved on: the next scrape shows it, not a sum
    text = await metrics.render();
    expect(text).toContain(`sluice_source_connection_messages_received_total{${c0}} 7`);
    untrack();
    text = await metrics.render();
    expect(text).not.toContain('client="c-0"');
  });
});
