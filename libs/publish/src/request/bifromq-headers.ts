import { z } from 'zod';
import { PublishRequestInvalidError } from '../errors';
import type { PublishMessageInput } from './to-publish-messages';

/** The headers of BifroMQ's `POST /pub` (bifromq-apiserver `Headers`), all lowercase as Node gives them. */
export const bifromqPubHeadersSchema = z.object({
  topic: z.string().describe('The topic name to publish to.'),
  qos: z
    .enum(['0', '1', '2'])
    .transform((value) => Number(value) as 0 | 1 | 2)
    .describe('QoS: 0, 1 or 2.'),
  retain: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => value === 'true')
    .describe('true to retain the message.'),
  expiry_seconds: z
    .string()
    .regex(/^[1-9][0-9]*$/, 'expected a positive whole number of seconds')
    .transform(Number)
    .refine((value) => value <= 4_294_967_295, 'expected at most 4294967295')
    .optional()
    .describe('Message expiry interval in seconds (positive).'),
  tenant_id: z.string().optional().describe("The tenant; must be the key's own tenant when given."),
  client_type: z.string().optional().describe('Accepted for compatibility; not used.'),
  req_id: z.string().optional().describe('Accepted for compatibility; not used.'),
});

/**
 * Maps BifroMQ's header form (`POST /pub`, binary body) onto a message input, so both forms share
 * one validation and publish path.
 *
 * @example parseBifromqPub({ topic: 'a/b', qos: '1' }, Buffer.from('hi')); // { topic: 'a/b', qos: 1, ... }
 */
export function parseBifromqPub(
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
): { input: PublishMessageInput; tenantId: string | undefined } {
  const single = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name.toLowerCase(),
      Array.isArray(value) ? value[0] : value,
    ]),
  );
  const parsed = bifromqPubHeadersSchema.safeParse(single);
  if (!parsed.success) {
    throw new PublishRequestInvalidError(`invalid BifroMQ publish headers: ${z.prettifyError(parsed.error)}`);
  }
  const { topic, qos, retain, expiry_seconds, tenant_id } = parsed.data;
  return {
    tenantId: tenant_id,
    input: {
      topic,
      payload: body,
      qos,
      retain,
      properties: expiry_seconds === undefined ? undefined : { message_expiry_interval: expiry_seconds },
    },
  };
}
