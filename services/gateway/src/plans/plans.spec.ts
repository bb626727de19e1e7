import { defaultPlans, parsePlans, planOf, PlansConfigError } from './plans';

describe('plans', () => {
  it("defaults to the seed's free plan: 2 connectors, 4 rules, 1 action per rule, 1 M free, $0.25/M", () => {
    expect(parsePlans(undefined).free).toEqual({
      maxConnectors: 2,
      maxSources: 2,
      maxBrokerConnections: 2,
      maxBrokerClients: 10,
      maxApiKeys: 5,
      maxRules: 4,
      maxActionsPerRule: 1,
      freeActionsPerMonth: 1_000_000,
      pricePerMillionUsd: 0.25,
    });
    expect(parsePlans('  ')).toBe(defaultPlans);
  });

  it('reads SLUICE_PLANS and names every bad field', () => {
    const plan = {
      maxConnectors: 1,
      maxRules: 1,
      maxActionsPerRule: 1,
      freeActionsPerMonth: 0,
      pricePerMillionUsd: 1,
    };
    // a plan written before sources, connections and keys had quotas gets the defaults for them
    expect(parsePlans(JSON.stringify({ gold: plan }))).toEqual({
      gold: { ...plan, maxSources: 10, maxBrokerConnections: 10, maxBrokerClients: 100, maxApiKeys: 20 },
    });
    expect(() => parsePlans('{')).toThrow(PlansConfigError);
    expect(() => parsePlans(JSON.stringify({ gold: { ...plan, maxRules: -1 } }))).toThrow(/gold\.maxRules/);
    expect(() => parsePlans('{}')).toThrow(/names no plan/);
  });

  it('refuses a tenant plan that is not configured', () => {
    expect(() => planOf(defaultPlans, 'platinum')).toThrow(/platinum/);
  });
});
