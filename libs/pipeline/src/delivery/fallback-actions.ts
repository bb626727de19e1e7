import type { ActionRequest } from '@sluice/bus';
import type { RuleDefinition } from '../pipeline-definition';

/** A fallback action as the request to it needs it. */
export interface FallbackTarget {
  ruleId: string;
  actionId: string;
  connectorId: string;
}

/** Marks the id of a request made for a fallback action (and keeps the id stable across retries). */
export const FALLBACK_MARK = '/fallback/';

/**
 * Splits an action's config into the connector's part and the `fallbackActions` it names, resolved to
 * actions of the same tenant (the same rule first). Throws when one is unknown.
 */
export function splitFallbacks(
  rules: readonly RuleDefinition[],
  rule: RuleDefinition,
  actionId: string,
  config: Record<string, unknown>,
): { config: Record<string, unknown>; fallbacks: FallbackTarget[] } {
  const { fallbackActions, ...rest } = config;
  if (fallbackActions === undefined) return { config, fallbacks: [] };
  if (!Array.isArray(fallbackActions) || !fallbackActions.every((v) => typeof v === 'string'))
    throw new Error(
      `action '${actionId}' of rule '${rule.id}': fallbackActions must be a list of action ids`,
    );
  const fallbacks = fallbackActions.map((id) => {
    const owner = [rule, ...rules].find((r) =>
      r.actions.some((a) => a.id === id && !(r === rule && id === actionId)),
    );
    const target = owner?.actions.find((a) => a.id === id);
    if (!owner || !target)
      throw new Error(`action '${actionId}' of rule '${rule.id}': unknown fallback action '${id}'`);
    return { ruleId: owner.id, actionId: target.id, connectorId: target.connector };
  });
  return { config: rest, fallbacks };
}

/**
 * The requests for the fallback actions of a request its action gave up on, each with the stable id
 * `<id>/fallback/<actionId>`. None for a fallback request itself, so chains cannot loop.
 */
export function fallbackRequests(
  request: ActionRequest,
  fallbacks: readonly FallbackTarget[],
): ActionRequest[] {
  if (request.id.includes(FALLBACK_MARK)) return [];
  return fallbacks.map(({ ruleId, actionId, connectorId }) => ({
    ...request,
    id: `${request.id}${FALLBACK_MARK}${actionId}`,
    ruleId,
    actionId,
    connectorId,
  }));
}
