import { SluiceError } from '@sluice/errors';
import { z } from 'zod';

/** Injection token of the {@link Plans} the gateway enforces and bills by. */
export const PLANS = Symbol('PLANS');

const planSchema = z.object({
  maxConnectors: z.number().int().min(0),
  /** Sources (enabled or not); a plan given without it allows 10. */
  maxSources: z.number().int().min(0).default(10),
  /** Broker connections of all the tenant's sources together (each source's `connections`, 1 by default). */
  maxBrokerConnections: z.number().int().min(0).default(10),
  /**
   * Clients logged in to the embedded broker with the tenant's keys at once (its devices); one more
   * is refused at CONNECT. A plan given without it allows 100.
   */
  maxBrokerClients: z.number().int().min(0).default(100),
  /** Unrevoked API keys; a plan given without it allows 20. */
  maxApiKeys: z.number().int().min(0).default(20),
  maxRules: z.number().int().min(0),
  maxActionsPerRule: z.number().int().min(0),
  /** Rule actions per calendar month included in the plan. */
  freeActionsPerMonth: z.number().int().min(0),
  /** USD per million rule actions beyond the free ones. */
  pricePerMillionUsd: z.number().min(0),
});
export type Plan = z.infer<typeof planSchema>;
export type Plans = Readonly<Record<string, Plan>>;

/** No limit a tenant meets in practice and nothing to pay (the embedded mode's default plan). */
const NO_LIMIT = 1_000_000_000;

/** The plans when SLUICE_PLANS is unset: the seed's free plan, a larger one and an unlimited one. */
export const defaultPlans: Plans = {
  free: {
    maxConnectors: 2,
    maxSources: 2,
    maxBrokerConnections: 2,
    maxBrokerClients: 10,
    maxApiKeys: 5,
    maxRules: 4,
    maxActionsPerRule: 1,
    freeActionsPerMonth: 1_000_000,
    pricePerMillionUsd: 0.25,
  },
  pro: {
    maxConnectors: 50,
    maxSources: 50,
    maxBrokerConnections: 100,
    maxBrokerClients: 1_000,
    maxApiKeys: 100,
    maxRules: 500,
    maxActionsPerRule: 10,
    freeActionsPerMonth: 1_000_000,
    pricePerMillionUsd: 0.25,
  },
  unlimited: {
    maxConnectors: NO_LIMIT,
    maxSources: NO_LIMIT,
    maxBrokerConnections: NO_LIMIT,
    maxBrokerClients: NO_LIMIT,
    maxApiKeys: NO_LIMIT,
    maxRules: NO_LIMIT,
    maxActionsPerRule: NO_LIMIT,
    freeActionsPerMonth: Number.MAX_SAFE_INTEGER,
    pricePerMillionUsd: 0,
  },
};

export class PlansConfigError extends SluiceError {
  readonly code = 'PLANS_INVALID';
  readonly category = 'BAD_INPUT';
}

/**
 * Parses `SLUICE_PLANS`, a JSON object of plan name to limits and prices; unset gives
 * {@link defaultPlans}. Plans live in configuration, not the database (ADR 0002).
 *
 * @example parsePlans('{"free":{"maxConnectors":2,"maxRules":4,"maxActionsPerRule":1,"freeActionsPerMonth":1000000,"pricePerMillionUsd":0.25}}')
 */
export function parsePlans(text: string | undefined): Plans {
  if (text === undefined || text.trim() === '') return defaultPlans;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new PlansConfigError(`SLUICE_PLANS is not JSON: ${(error as Error).message}`);
  }
  const result = z.record(z.string().min(1).max(64), planSchema).safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new PlansConfigError(`SLUICE_PLANS is invalid: ${problems.join('; ')}`);
  }
  if (Object.keys(result.data).length === 0) throw new PlansConfigError('SLUICE_PLANS names no plan');
  return Object.freeze(result.data);
}

/** The plan of a tenant created without one (SLUICE_DEFAULT_PLAN; the embedded mode sets 'unlimited'). */
export function defaultPlanName(settings: { SLUICE_DEFAULT_PLAN?: string | undefined }): string {
  return settings.SLUICE_DEFAULT_PLAN ?? 'free';
}

/** The plan named by a tenant row; a plan removed from the configuration is an operator error. */
export function planOf(plans: Plans, name: string): Plan {
  const plan = plans[name];
  if (!plan) throw new PlansConfigError(`tenant plan '${name}' is not configured (SLUICE_PLANS)`);
  return plan;
}
