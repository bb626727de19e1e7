import { z } from 'zod';
import { positiveInt, secret, tlsSchema } from '../shared/parse-config';

export const mysqlConnectorSchema = z
  .object({
    url: z
      .string()
      .regex(/^(mysql|mariadb):\/\//, 'expected a mysql:// URL')
      .describe(
        'mysql://user:password@host:3306/database; the fields below override its parts. A password in it is a secret.',
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
  .meta({ description: 'A MySQL or MariaDB database.' });
export type MysqlConnectorConfig = z.output<typeof mysqlConnectorSchema>;
