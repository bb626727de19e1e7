import { z } from 'zod';

/** `SLUICE_HTTP_PORT` with the default of the service that reads it. */
export const httpPortShape = (defaultPort: number) => ({
  SLUICE_HTTP_PORT: z.coerce
    .number({ message: 'expected a port number' })
    .int('expected a port number')
    .min(0, 'expected a port from 0 to 65535')
    .max(65535, 'expected a port from 0 to 65535')
    .default(defaultPort),
  SLUICE_HTTP_HOST: z.string().default('0.0.0.0'),
  /**
   * The operational port: /metrics and the detailed /health/ready, which name tenants, answer
   * there without credentials; on the HTTP port of a service with a public API they need the
   * operator key. Unset: no separate port.
   */
  SLUICE_OPS_PORT: z.coerce
    .number({ message: 'expected a port number' })
    .int('expected a port number')
    .min(1, 'expected a port from 1 to 65535')
    .max(65535, 'expected a port from 1 to 65535')
    .optional(),
  /** Where the operational port listens: only this machine (or pod) by default. */
  SLUICE_OPS_HOST: z.string().default('127.0.0.1'),
});

export const logConfigShape = {
  SLUICE_LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
};

/**
 * `SLUICE_DATA_DIR`: where the embedded mode keeps its files (the SQLite database, the bus log,
 * the generated secret key). One definition for every lib that writes there.
 */
export const dataDirShape = {
  SLUICE_DATA_DIR: z.string().min(1).default('./data'),
};

/**
 * `SLUICE_SHUTDOWN_TIMEOUT_MS`: how long a graceful stop (SIGTERM/SIGINT) may take before the
 * process exits anyway (logged). Under Kubernetes' default 30 s grace period.
 */
export const shutdownConfigShape = {
  SLUICE_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(25_000),
};
