export {
  PublishTopicInvalidError,
  PublishRequestInvalidError,
  PublishPayloadEncodingError,
  PublishPayloadTooLargeError,
  PublishForbiddenTopicError,
  RateLimitedError,
  BrokerUnavailableError,
  UnauthorizedError,
  ForbiddenError,
  BulkEmptyError,
} from './errors';
export type { BulkItemResult } from './request/publish-request.schema';
export { parseBasicAuthorization } from './auth/api-key-verifier';
export type { ApiKeyVerifier, BasicCredentials, PublishPrincipal } from './auth/api-key-verifier';
export { narrowKeyScope } from './auth/key-scope';
export { topicAllowedBy } from './topic/topic-filter-match';
export { PublishRateLimiter } from './rate-limit/publish-rate-limiter';
export { MqttPublisherPool } from './pool/mqtt-publisher-pool';
export { PublishService } from './publish-service';
export type { Published, ItemOutcome, TraceProperties } from './publish-service';
export { publishConfigShape, resolvePublishConfig } from './publish.config';
export type { PublishConfig } from './publish.config';
export { buildPublishOpenApi, publishOpenApiYaml } from './openapi/publish-openapi';
export { redisRateLimiterFactory } from './rate-limit/redis-rate-limiter';
