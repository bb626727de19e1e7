import { PublishForbiddenTopicError } from '../errors';
import { topicAllowedBy } from '../topic/topic-filter-match';
import type { PublishPrincipal } from './api-key-verifier';

/**
 * Throws {@link PublishForbiddenTopicError} unless the principal may publish to every topic the
 * message names: its topic and its MQTT 5 response topic (where its replies will be published).
 *
 * @example assertMessageAllowed({ topicFilters: ['a/#'], ... }, { topic: 'a/1', properties: { responseTopic: 'b/1' } }); // throws
 */
export function assertMessageAllowed(
  principal: Pick<PublishPrincipal, 'topicFilters'>,
  message: { topic: string; properties?: { responseTopic?: string } | undefined },
): void {
  assertTopicAllowed(principal, message.topic);
  const responseTopic = message.properties?.responseTopic;
  if (responseTopic !== undefined) assertTopicAllowed(principal, responseTopic);
}

/**
 * Throws {@link PublishForbiddenTopicError} unless the principal may publish to `topic`.
 *
 * @example assertTopicAllowed({ topicFilters: ['factory/#'], ... }, 'factory/a'); // ok
 */
export function assertTopicAllowed(principal: Pick<PublishPrincipal, 'topicFilters'>, topic: string): void {
  if (principal.topicFilters === 'any') return;
  if (!topicAllowedBy(principal.topicFilters, topic)) throw new PublishForbiddenTopicError(topic);
}
