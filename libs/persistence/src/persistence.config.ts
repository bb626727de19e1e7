import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dataDirShape } from '@sluice/config';
import { z } from 'zod';

/**
 * The database settings. `SLUICE_DATABASE_URL` is PostgreSQL (the mesh) or `sqlite:<path>`;
 * unset means SQLite at `${SLUICE_DATA_DIR}/sluice.db` (the embedded mode).
 */
export const persistenceConfigShape = {
  SLUICE_DATABASE_URL: z
    .string()
    .regex(
      /^(postgres(ql)?:\/\/.+|sqlite:.+)$/,
      'expected postgres://user:password@host:port/db or sqlite:<path>',
    )
    .optional(),
  ...dataDirShape,
  SLUICE_DATABASE_POOL_SIZE: z.coerce
    .number({ message: 'expected a positive integer' })
    .int('expected a positive integer')
    .positive('expected a positive integer')
    .max(1000, 'expected at most 1000')
    .default(10),
  // why not validated to 32 bytes here: loadSecretKey() says precisely what is wrong, and loadConfig
  // would echo the rejected value (a secret) into its error line
  SLUICE_SECRET_KEY: z.string().optional(),
};

export type PersistenceConfig = z.infer<z.ZodObject<typeof persistenceConfigShape>>;

/** Settings to mask when the effective configuration is logged. */
export const persistenceSensitiveSettings = ['SLUICE_SECRET_KEY'] as const;

export type ResolvedDatabase =
  { type: 'postgres'; url: string; poolSize: number } | { type: 'sqlite'; path: string };

/**
 * Decides which database to open; for SQLite it creates the directory the file lives in.
 *
 * @example
 * resolveDatabase({ SLUICE_DATA_DIR: './data', SLUICE_DATABASE_POOL_SIZE: 10 });
 * // => { type: 'sqlite', path: '/abs/data/sluice.db' }
 */
export function resolveDatabase(
  config: Pick<PersistenceConfig, 'SLUICE_DATABASE_URL' | 'SLUICE_DATA_DIR' | 'SLUICE_DATABASE_POOL_SIZE'>,
): ResolvedDatabase {
  const url = config.SLUICE_DATABASE_URL;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    return { type: 'postgres', url, poolSize: config.SLUICE_DATABASE_POOL_SIZE };
  }
  const path = url
    ? resolve(url.slice('sqlite:'.length))
    : resolve(join(config.SLUICE_DATA_DIR, 'sluice.db'));
  mkdirSync(resolve(path, '..'), { recursive: true });
  return { type: 'sqlite', path };
}
