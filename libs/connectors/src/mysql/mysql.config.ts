import { z } from 'zod';
import { positiveInt, tlsSchema } from '../shared/parse-config';

export const mysqlConnectorSchema = z
  .object({
    /** `mysql://user:password@host:3306/database` (MySQL or MariaDB); the fields below override its parts. */
    url: z.string().regex(/^(mysql|mariadb):\/\//, 'expected a mysql:// URL'),
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
export type MysqlConnectorConfig = z.output<typeof mysqlConnectorSchema>;
