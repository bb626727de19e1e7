import { z } from 'zod';
import { positiveInt, tlsSchema } from '../shared/parse-config';

export const postgresConnectorSchema = z
  .object({
    /** `postgres://user:password@host:5432/database`; the fields below override its parts. */
    url: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL'),
    username: z.string().optional(),
    password: z.string().optional(),
    database: z.string().optional(),
    poolSize: positiveInt().default(8),
    connectTimeoutMs: positiveInt().default(15_000),
    /** Longest a statement may run before it fails as retryable. */
    queryTimeoutMs: positiveInt().default(15_000),
    tls: tlsSchema.optional(),
  })
  .strict();
export type PostgresConnectorConfig = z.output<typeof postgresConnectorSchema>;
