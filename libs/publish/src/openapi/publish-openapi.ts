import { z } from 'zod';
import { stringify } from 'yaml';
import { bifromqPubHeadersSchema } from '../request/bifromq-headers';
import {
  bulkItemResultSchema,
  bulkItemSchema,
  problemDetailsSchema,
  publishRequestSchema,
  publishResultSchema,
} from '../request/publish-request.schema';

function schema(type: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  // why drop $schema: OpenAPI 3.1 already fixes the dialect for the whole document
  const { $schema: _dialect, ...rest } = z.toJSONSchema(type, { io, unrepresentable: 'any' });
  return rest;
}

const problem = (description: string, retryAfter = false) => ({
  description,
  ...(retryAfter
    ? {
        headers: {
          'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } },
        },
      }
    : {}),
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } },
});

const errors = {
  '400': problem(
    'PUBLISH_REQUEST_INVALID, PUBLISH_TOPIC_INVALID (empty, wildcard, NUL, over 65535 bytes), PUBLISH_PAYLOAD_ENCODING or BULK_EMPTY.',
  ),
  '401': problem('UNAUTHORIZED: missing, malformed or unknown credentials.'),
  '403': problem('PUBLISH_FORBIDDEN_TOPIC: the key may not publish to the topic; FORBIDDEN: another tenant.'),
  '413': problem('PUBLISH_PAYLOAD_TOO_LARGE: the payload is over the configured limit.'),
  '429': problem("RATE_LIMITED: the key's messages per second are used up.", true),
  '503': problem('BROKER_UNAVAILABLE: the broker could not be reached or did not confirm in time.', true),
};

const itemList = {
  content: {
    'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/BulkItemResult' } } },
  },
};

/**
 * The OpenAPI 3.1 document of the publish API, generated from the same zod schemas that
 * validate requests, so the two cannot drift apart.
 *
 * @example writeFileSync('docs/openapi/publish-api.yaml', publishOpenApiYaml());
 */
export function buildPublishOpenApi(): Record<string, unknown> {
  const headerParameters = Object.entries(bifromqPubHeadersSchema.shape).map(([name, field]) => ({
    name,
    in: 'header',
    required: name === 'topic' || name === 'qos',
    description: field.description,
    schema: { type: 'string' },
  }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sluice publish API',
      version: '1.0.0',
      description:
        'Publish MQTT messages over HTTP, compatible with the EMQX v5 publish API and BifroMQ /pub. See docs/publish-api.md.',
    },
    security: [{ basic: [] }],
    paths: {
      '/api/v5/publish': {
        post: {
          operationId: 'publish',
          summary: 'Publish one message, or one payload to several topics',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/PublishRequest' } } },
          },
          responses: {
            '200': {
              description:
                'Published (QoS 1/2: confirmed by the broker). With `topics`: one entry per topic.',
              content: {
                'application/json': {
                  schema: {
                    oneOf: [
                      { $ref: '#/components/schemas/PublishResult' },
                      { type: 'array', items: { $ref: '#/components/schemas/BulkItemResult' } },
                    ],
                  },
                },
              },
            },
            '202': {
              description: 'Published, but the broker reported no matching subscribers (reason code 16).',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/PublishResult' } } },
            },
            '207': { description: 'With `topics`: some were not published; see each entry.', ...itemList },
            ...errors,
          },
        },
      },
      '/api/v5/publish/bulk': {
        post: {
          operationId: 'publishBulk',
          summary: 'Publish several messages, answered item by item',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { type: 'array', minItems: 1, items: { $ref: '#/components/schemas/BulkItem' } },
              },
            },
          },
          responses: {
            '200': { description: 'Every item was published.', ...itemList },
            '207': {
              description: 'Some items were not published; each entry says which and why.',
              ...itemList,
            },
            ...errors,
          },
        },
      },
      '/pub': {
        post: {
          operationId: 'bifromqPub',
          summary: "BifroMQ's header form: topic, qos and tenant in headers, the body is the payload",
          parameters: headerParameters,
          requestBody: { required: true, content: { 'application/octet-stream': { schema: {} } } },
          responses: {
            '200': {
              description: 'OK, or NO_MATCH when the broker reported no matching subscribers.',
              content: { 'text/plain': { schema: { type: 'string', enum: ['OK', 'NO_MATCH'] } } },
            },
            ...errors,
          },
        },
      },
    },
    components: {
      securitySchemes: {
        basic: {
          type: 'http',
          scheme: 'basic',
          description:
            'An API key as username `slk_<16 hex>` and password (the rest of the key), or the whole key as username with an empty password; the operator key as `admin:<SLUICE_ADMIN_KEY>`.',
        },
      },
      schemas: {
        PublishRequest: schema(publishRequestSchema, 'input'),
        BulkItem: schema(bulkItemSchema, 'input'),
        PublishResult: schema(publishResultSchema, 'output'),
        BulkItemResult: schema(bulkItemResultSchema, 'output'),
        ProblemDetails: schema(problemDetailsSchema, 'output'),
      },
    },
  };
}

/** The same document as YAML, as checked in at docs/openapi/publish-api.yaml. */
export function publishOpenApiYaml(): string {
  return stringify(buildPublishOpenApi(), { lineWidth: 0, aliasDuplicateObjects: false });
}
