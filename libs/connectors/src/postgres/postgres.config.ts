import { z } from 'zod';
import { positiveInt, secret, tlsSchema } from '../shared/parse-config';

export const postgresConnectorSchema = z
  .object({
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
      .describe(
        'postgres://user:password@host:5432/database; the fields below override its parts. A password in it is a secret.',
      ),
    username: z.string().optional(),
    password: secret(z.string().optional()),
    database: z.string().optional(),
    poolSize: positiveInt().default(8),
    connectTimeoutMs: positiveInt().default(15_000),
    queryTimeoutMs: positiveInt()
      .default(15_000)
      .describe('Longest a statement may run before it fails as retryable.'),
    tls: tlsSchema.optional(),
  })
  .strict()
  .meta({ description: 'A PostgreSQL database.' });
export type PostgresConnectorConfig = z.output<typeof postgresConnectorSchema>;
