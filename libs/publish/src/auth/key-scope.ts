import { filterWithin } from '../topic/topic-filter-match';
import type { PublishPrincipal } from './api-key-verifier';

/** What a new key asks for: topic filters and a rate (null: the default). */
export interface RequestedKeyScope {
  publishTopics: readonly string[];
  rateLimit: number | null;
}

/** Why a key may not be created, per field of the request. */
export interface KeyScopeProblem {
  field: 'publishTopics' | 'rateLimit';
  problem: string;
}

/**
 * Keys never grow: a key may create only keys within its own scope. Every topic filter asked for
 * must be contained in one of the creator's filters, and the rate may not exceed the creator's (a
 * rate left out inherits it). The operator's scope (`'any'`, `'unlimited'`) is unbounded. Returns
 * the scope to store, or the problems.
 *
 * @example narrowKeyScope({ topicFilters: ['a/#'], rateLimit: 50 }, { publishTopics: ['#'], rateLimit: 1e6 }, 1000);
 * // { problems: [{ field: 'publishTopics', ... }, { field: 'rateLimit', ... }] }
 */
export function narrowKeyScope(
  creator: Pick<PublishPrincipal, 'topicFilters' | 'rateLimit'>,
  requested: RequestedKeyScope,
  defaultRate: number,
): { scope: RequestedKeyScope } | { problems: KeyScopeProblem[] } {
  const problems: KeyScopeProblem[] = [];
  if (creator.topicFilters !== 'any') {
    const own = creator.topicFilters;
    const wider = requested.publishTopics.filter((filter) => !own.some((mine) => filterWithin(filter, mine)));
    if (wider.length > 0) {
      problems.push({
        field: 'publishTopics',
        problem: `outside this key's own topics (${own.join(', ') || 'none'}): ${wider.join(', ')}`,
      });
    }
  }
  let rateLimit = requested.rateLimit;
  if (creator.rateLimit !== 'unlimited') {
    const ownRate = creator.rateLimit ?? defaultRate;
    if (rateLimit === null) rateLimit = creator.rateLimit;
    else if (rateLimit > ownRate) {
      problems.push({ field: 'rateLimit', problem: `above this key's own rate of ${ownRate} per second` });
    }
  }
  return problems.length > 0
    ? { problems }
    : { scope: { publishTopics: requested.publishTopics, rateLimit } };
}
