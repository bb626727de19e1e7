export {
  PublishTopicInvalidError,
  PublishRequestInvalidError,
  PublishPayloadEncodingError,
  PublishPayloadTooLargeError,
  PublishForbiddenTopicError,
  PublishRejectedError,
  PublishFailedError,
  RateLimitedError,
  BrokerUnavailableError,
  UnauthorizedError,
  ForbiddenError,
  BulkEmptyError,
} from './errors';
export { assertValidTopicName, MAX_TOPIC_BYTES } from './topic/topic-name';
export { topicMatchesFilter, topicAllowedBy, filterWithin } from './topic/topic-filter-match';
export {
  publishRequestSchema,
  bulkItemSchema,
  publishPropertiesSchema,
  publishResultSchema,
  bulkItemResultSchema,
  problemDetailsSchema,
} from './request/publish-request.schema';
export type { PublishRequest, BulkItem, BulkItemResult } from './request/publish-request.schema';
export { bifromqPubHeadersSchema, parseBifromqPub } from './request/bifromq-headers';
export { toPublishMessage, parsePublishRequest, parseBulkRequest } from './request/to-publish-messages';
export type {
  PublishMessage,
  PublishMessageInput,
  PublishLimits,
  Mqtt5Properties,
} from './request/to-publish-messages';
export { parseBasicAuthorization } from './auth/api-key-verifier';
export type { ApiKeyVerifier, BasicCredentials, PublishPrincipal } from './auth/api-key-verifier';
export { assertTopicAllowed } from './auth/topic-access';
export { narrowKeyScope } from './auth/key-scope';
export type { RequestedKeyScope, KeyScopeProblem } from './auth/key-scope';
export { PublishRateLimiter } from './rate-limit/publish-rate-limiter';
export type { RateLimiterFactory } from './rate-limit/publish-rate-limiter';
export { MqttPublisherPool, defaultPoolOptions } from './pool/mqtt-publisher-pool';
export type { PublisherPoolOptions, PublisherLease } from './pool/mqtt-publisher-pool';
export type { BrokerTarget, PublishAck } from './pool/pooled-connection';
export { PublishService } from './publish-service';
export type { Published, ItemOutcome, PublishServiceDeps, TraceProperties } from './publish-service';
export { publishConfigShape, resolvePublishConfig } from './publish.config';
export type { PublishConfig } from './publish.config';
export { buildPublishOpenApi, publishOpenApiYaml } from './openapi/publish-openapi';
export { redisRateLimiterFactory } from './rate-limit/redis-rate-limiter';
