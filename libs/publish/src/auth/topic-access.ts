import { PublishForbiddenTopicError } from '../errors';
import { topicAllowedBy } from '../topic/topic-filter-match';
import type { PublishPrincipal } from './api-key-verifier';

/**
 * Throws {@link PublishForbiddenTopicError} unless the principal may publish to `topic`.
 *
 * @example assertTopicAllowed({ topicFilters: ['factory/#'], ... }, 'factory/a'); // ok
 */
export function assertTopicAllowed(principal: Pick<PublishPrincipal, 'topicFilters'>, topic: string): void {
  if (principal.topicFilters === 'any') return;
  if (!topicAllowedBy(principal.topicFilters, topic)) throw new PublishForbiddenTopicError(topic);
}
