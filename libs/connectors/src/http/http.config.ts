import { z } from 'zod';
import { positiveInt, secret, tlsSchema } from '../shared/parse-config';

const statusSpec = z.union([
  z.number().int().min(100).max(599),
  z.string().regex(/^[1-5]xx$/, 'expected e.g. 503 or "5xx"'),
]);

export const httpConnectorSchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .describe("Base URL; an action's path is appended. A password in it is a secret."),
    poolSize: positiveInt().default(8).describe('Connections in the pool.'),
    pipelining: positiveInt()
      .default(1)
      .describe('Requests pipelined per connection (1 = none; most servers handle only 1 safely).'),
    connectTimeoutMs: positiveInt().default(15_000),
    // why all secret: headers commonly carry Authorization or API-key values
    headers: secret(
      z.record(z.string(), z.string().describe('Templates allowed.')).default({}),
      'Sent with every request (templates allowed, as in the action). Secret: write-only.',
    ).meta({ title: 'Header' }),
    tls: tlsSchema.optional(),
  })
  .strict()
  .meta({ description: 'An HTTP server: a pool of keep-alive connections to one origin.' });
export type HttpConnectorConfig = z.output<typeof httpConnectorSchema>;

/** One webhook: method, path and templates. */
export const httpActionSchema = z
  .object({
    method: z
      .string()
      .transform((m) => m.toUpperCase())
      .pipe(z.enum(['POST', 'PUT', 'PATCH', 'GET', 'DELETE']))
      .default('POST'),
    /** Path template appended to the connector URL (`/devices/${clientid}`). */
    path: z.string().default(''),
    /** Header templates; they override the connector's headers of the same name. */
    headers: z.record(z.string(), z.string()).default({}),
    /** Body template; by default the whole rule output as JSON. */
    body: z.string().default('${.}'),
    /** Time for the whole request (connect, headers, body). */
    requestTimeoutMs: positiveInt().default(15_000),
    /** Status codes that mean delivered; default all 2xx. */
    successStatus: z.array(statusSpec).nonempty().default(['2xx']),
    /** Status codes worth another attempt; every other non-success status fails for good. */
    retryableStatus: z.array(statusSpec).default([408, 429, '5xx']),
    /** Records per `send()`; they go out as concurrent requests (HTTP has no batch). */
    maxBatchSize: positiveInt().default(1),
  })
  .strict();
export type HttpActionConfig = z.output<typeof httpActionSchema>;

/** A predicate over status codes from a list like `[200, '2xx']`. */
export function statusMatcher(specs: readonly (number | string)[]): (status: number) => boolean {
  const exact = new Set(specs.filter((s): s is number => typeof s === 'number'));
  const classes = new Set(specs.filter((s): s is string => typeof s === 'string').map((s) => Number(s[0])));
  return (status) => exact.has(status) || classes.has(Math.floor(status / 100));
}
