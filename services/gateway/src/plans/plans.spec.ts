import { defaultPlans, parsePlans, planOf, PlansConfigError } from './plans';

describe('plans', () => {
  it("defaults to the seed's free plan: 2 connectors, 4 rules, 1 action per rule, 1 M free, $0.25/M", () => {
    expect(parsePlans(undefined).free).toEqual({
      maxConnectors: 2,
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
    expect(parsePlans(JSON.stringify({ gold: plan }))).toEqual({ gold: plan });
    expect(() => parsePlans('{')).toThrow(PlansConfigError);
    expect(() => parsePlans(JSON.stringify({ gold: { ...plan, maxRules: -1 } }))).toThrow(/gold\.maxRules/);
    expect(() => parsePlans('{}')).toThrow(/names no plan/);
  });

  it('refuses a tenant plan that is not configured', () => {
    expect(() => planOf(defaultPlans, 'platinum')).toThrow(/platinum/);
  });
});
