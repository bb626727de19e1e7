import { z } from 'zod';

const qos = z
  .union([z.literal(0), z.literal(1), z.literal(2)])
  .default(0)
  .describe('MQTT QoS: 0, 1 or 2. QoS 1 and 2 are answered only after the broker confirmed.');

/** MQTT 5 PUBLISH properties, with EMQX's snake_case names. */
export const publishPropertiesSchema = z
  .object({
    payload_format_indicator: z
      .union([z.literal(0), z.literal(1)])
      .optional()
      .describe('1: the payload is UTF-8 text (checked); 0: unspecified bytes.'),
    message_expiry_interval: z
      .number()
      .int()
      .min(0)
      .max(4_294_967_295)
      .optional()
      .describe('Seconds after which the broker drops the message if not yet delivered.'),
    response_topic: z.string().optional().describe('Topic name for a response (request/response pattern).'),
    correlation_data: z.string().optional().describe('Correlation data, sent as its UTF-8 bytes.'),
    user_properties: z
      .record(z.string(), z.union([z.string(), z.array(z.string())]))
      .optional()
      .describe('User properties; an array value sends the key once per element.'),
    content_type: z.string().optional().describe('MIME type of the payload, e.g. application/json.'),
  })
  .describe('MQTT 5 properties of the message.');

const messageFields = {
  payload: z.string().default('').describe('The message body, as text or base64 (see payload_encoding).'),
  payload_encoding: z
    .enum(['plain', 'base64'])
    .default('plain')
    .describe('plain: payload is sent as its UTF-8 bytes; base64: payload is decoded first.'),
  qos,
  retain: z.boolean().default(false).describe('Whether the broker retains the message.'),
  properties: publishPropertiesSchema.optional(),
};

const topicDescription =
  'Topic name: not empty, no wildcards (+ #), no NUL, at most 65535 bytes of UTF-8, and allowed for the key.';

/**
 * The body of `POST /api/v5/publish`: EMQX's fields, plus `topics` to send one payload to
 * several topics (give exactly one of `topic` and `topics`).
 */
export const publishRequestSchema = z
  .object({
    topic: z.string().optional().describe(topicDescription),
    topics: z
      .array(z.string())
      .min(1)
      .optional()
      .describe('Several topic names for the same payload; answered item by item like a bulk request.'),
    ...messageFields,
  })
  .refine((body) => (body.topic === undefined) !== (body.topics === undefined), {
    message: 'give exactly one of "topic" and "topics"',
  })
  .describe('A message to publish.');
export type PublishRequest = z.infer<typeof publishRequestSchema>;

/** One item of `POST /api/v5/publish/bulk`. */
export const bulkItemSchema = z
  .object({ topic: z.string().describe(topicDescription), ...messageFields })
  .describe('A message to publish.');
export type BulkItem = z.infer<typeof bulkItemSchema>;

/** What `POST /api/v5/publish` answers for one topic. */
export const publishResultSchema = z.object({
  id: z.string().describe('The message id Sluice assigned (32 hex digits).'),
  message: z
    .literal('no_matching_subscribers')
    .optional()
    .describe('Set when the broker said nobody subscribed.'),
  reason_code: z.number().int().optional().describe('MQTT 5 reason code of the acknowledgement, when not 0.'),
});

/** One entry of a bulk (or `topics`) answer: either published, or failed with a problem. */
export const bulkItemResultSchema = z.object({
  index: z.number().int().describe('Position of the item in the request.'),
  topic: z.string().optional(),
  status: z.enum(['published', 'failed']),
  id: z.string().optional().describe('Message id, when published.'),
  reason_code: z.number().int().optional(),
  error: z
    .object({ code: z.string(), status: z.number().int(), detail: z.string() })
    .optional()
    .describe('Why this item was not published.'),
});
export type BulkItemResult = z.infer<typeof bulkItemResultSchema>;

/** The `application/problem+json` body of every error (RFC 9457). */
export const problemDetailsSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string().describe('Stable error code, e.g. PUBLISH_TOPIC_INVALID.'),
  traceId: z.string(),
});
