import { RuleTraceHub } from './rule-trace-hub.service';
import type { GatewaySettings } from '../config';

describe('RuleTraceHub', () => {
  it('refuses a trace with RULE_TRACE_UNAVAILABLE when the gateway has no bus', () => {
    const hub = new RuleTraceHub(undefined, { SLUICE_BUS_NAMESPACE: '' } as GatewaySettings);
    expect(() => hub.subscribe('acme', 'r1')).toThrow(
      expect.objectContaining({ code: 'RULE_TRACE_UNAVAILABLE', category: 'UNAVAILABLE' }),
    );
    expect(hub.active).toBe(0);
  });
});
