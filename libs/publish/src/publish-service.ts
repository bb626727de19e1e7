import { randomUUID } from 'node:crypto';
import { SluiceError } from '@sluice/errors';
import type { PublishPrincipal } from './auth/api-key-verifier';
import { assertMessageAllowed } from './auth/topic-access';
import {
  BrokerUnavailableError,
  ForbiddenError,
  PublishFailedError,
  PublishForbiddenTopicError,
} from './errors';
import type { MqttPublisherPool, PublisherLease } from './pool/mqtt-publisher-pool';
import type { BrokerTarget } from './pool/pooled-connection';
import type { PublishRateLimiter } from './rate-limit/publish-rate-limiter';
import { parseBifromqPub } from './request/bifromq-headers';
import {
  parseBulkRequest,
  parsePublishRequest,
  toPublishMessage,
  type PublishLimits,
  type PublishMessage,
} from './request/to-publish-messages';

/** A message the broker took: its id, and the reason code when not plain success (16: no subscribers). */
export interface Published {
  id: string;
  reasonCode: number;
}

/** The outcome of one item of a bulk or `topics` request. */
export type ItemOutcome =
  | { index: number; topic: string | undefined; published: Published }
  | { index: number; topic: string | undefined; error: SluiceError };

/**
 * W3C trace context (`traceparent`, `tracestate`) to carry on as MQTT 5 user properties, so the
 * trace of the HTTP caller continues through the broker into ingest and rules.
 */
export type TraceProperties = Readonly<Record<string, string>>;

export interface PublishServiceDeps {
  pool: MqttPublisherPool;
  rateLimiter: PublishRateLimiter;
  /** Undefined when no broker is configured: every publish answers BROKER_UNAVAILABLE. */
  broker: BrokerTarget | undefined;
  limits: PublishLimits;
  /**
   * A tenant's namespace on the broker (its mountpoint), added in front of the topic and response
   * topic of what it publishes; keys are checked in the tenant's own view, before. None: no prefix.
   */
  mountpointOf?: (tenantId: string) => string | undefined;
}

/**
 * EMQX answers with 32 hex digits; so does Sluice. randomUUID draws from a cached entropy pool,
 * where randomBytes makes a system call per id (2% of a request's CPU in bench/publish.bench.ts).
 */
const newMessageId = () => randomUUID().replace(/-/g, '').toUpperCase();

/**
 * The publish API without HTTP: validate, check the key's topics, rate-limit, then publish over
 * the tenant's pooled connection. The checks that can reject the whole request all run before
 * the first message is sent, so a request is never half-published by a validation error.
 *
 * @example
 * const service = new PublishService({ pool, rateLimiter, broker: { url }, limits });
 * await service.publish(principal, { topic: 'a/b', payload: 'hi', qos: 1 }); // { single: { id, reasonCode: 0 } }
 */
export class PublishService {
  constructor(private readonly deps: PublishServiceDeps) {}

  /** `POST /api/v5/publish`: one topic, or a `topics` list answered item by item. */
  async publish(
    principal: PublishPrincipal,
    body: unknown,
    trace: TraceProperties = {},
  ): Promise<{ single: Published } | { items: ItemOutcome[] }> {
    const { messages, topicList } = parsePublishRequest(body, this.deps.limits);
    for (const message of messages) assertMessageAllowed(principal, message);
    const lease = await this.admit(principal, messages.length, trace);
    if (!topicList) return { single: await this.send(lease, messages[0] as PublishMessage) };
    return {
      items: await this.sendAll(
        lease,
        messages.map((message, index) => ({ index, message })),
      ),
    };
  }

  /** `POST /api/v5/publish/bulk`: every item answered on its own. */
  async publishBulk(
    principal: PublishPrincipal,
    body: unknown,
    trace: TraceProperties = {},
  ): Promise<ItemOutcome[]> {
    const parsed = parseBulkRequest(body, this.deps.limits);
    const outcomes: ItemOutcome[] = [];
    const valid: Array<{ index: number; message: PublishMessage }> = [];
    parsed.forEach((item, index) => {
      if (item instanceof SluiceError) {
        outcomes.push({ index, topic: topicOf(body, index), error: item });
      } else {
        try {
          assertMessageAllowed(principal, item);
          valid.push({ index, message: item });
        } catch (error) {
          if (!(error instanceof PublishForbiddenTopicError)) throw error;
          outcomes.push({ index, topic: item.topic, error });
        }
      }
    });
    if (valid.length > 0) {
      const lease = await this.admit(principal, valid.length, trace);
      outcomes.push(...(await this.sendAll(lease, valid)));
    }
    return outcomes.sort((a, b) => a.index - b.index);
  }

  /** BifroMQ's `POST /pub`: headers carry topic, qos, tenant; the body is the payload. */
  async publishBifromq(
    principal: PublishPrincipal,
    headers: Record<string, string | string[] | undefined>,
    body: Buffer,
    trace: TraceProperties = {},
  ): Promise<Published> {
    const { input, tenantId } = parseBifromqPub(headers, body);
    if (tenantId !== undefined && principal.tenantId !== null && tenantId !== principal.tenantId) {
      throw new ForbiddenError(`this API key belongs to another tenant than ${JSON.stringify(tenantId)}`);
    }
    const message = toPublishMessage(input, this.deps.limits);
    assertMessageAllowed(principal, message);
    const lease = await this.admit(principal, 1, trace, principal.tenantId ?? tenantId ?? null);
    return this.send(lease, message);
  }

  private async admit(
    principal: PublishPrincipal,
    messages: number,
    trace: TraceProperties,
    tenantId = principal.tenantId,
  ): Promise<PublisherLease> {
    await this.deps.rateLimiter.consume(principal, messages);
    const broker = this.deps.broker;
    if (!broker) throw new BrokerUnavailableError('no broker is configured (SLUICE_MQTT_URL)', 60);
    const lease = await this.deps.pool.acquire(tenantId, broker);
    const mountpoint = tenantId === null ? undefined : this.deps.mountpointOf?.(tenantId);
    if (Object.keys(trace).length === 0 && !mountpoint) return lease;
    return {
      publish: (message) => lease.publish(mounted(withTraceProperties(message, trace), mountpoint)),
    };
  }

  private async send(lease: PublisherLease, message: PublishMessage): Promise<Published> {
    const id = newMessageId();
    const ack = await lease.publish(message);
    return { id, reasonCode: ack.reasonCode };
  }

  private async sendAll(
    lease: PublisherLease,
    items: Array<{ index: number; message: PublishMessage }>,
  ): Promise<ItemOutcome[]> {
    // why all at once on one lease: they leave in request order and their acknowledgements overlap
    const settled = await Promise.allSettled(items.map(({ message }) => this.send(lease, message)));
    return settled.map((result, i) => {
      const { index, message } = items[i] as { index: number; message: PublishMessage };
      if (result.status === 'fulfilled') return { index, topic: message.topic, published: result.value };
      const error =
        result.reason instanceof SluiceError ? result.reason : new PublishFailedError(String(result.reason));
      return { index, topic: message.topic, error };
    });
  }
}

/** The message in the broker's view: the tenant's mountpoint in front of every topic it names. */
function mounted(message: PublishMessage, mountpoint: string | undefined): PublishMessage {
  if (!mountpoint) return message;
  const responseTopic = message.properties?.responseTopic;
  return {
    ...message,
    topic: `${mountpoint}${message.topic}`,
    ...(responseTopic === undefined
      ? {}
      : { properties: { ...message.properties, responseTopic: `${mountpoint}${responseTopic}` } }),
  };
}

/** The message with the trace context added to its user properties (replacing any the caller set). */
function withTraceProperties(message: PublishMessage, trace: TraceProperties): PublishMessage {
  if (Object.keys(trace).length === 0) return message;
  const properties = message.properties ?? {};
  return {
    ...message,
    properties: { ...properties, userProperties: { ...properties.userProperties, ...trace } },
  };
}

function topicOf(body: unknown, index: number): string | undefined {
  const item: unknown = Array.isArray(body) ? body[index] : undefined;
  const topic = item && typeof item === 'object' ? (item as { topic?: unknown }).topic : undefined;
  return typeof topic === 'string' ? topic : undefined;
}
