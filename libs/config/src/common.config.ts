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

/**
 * The mesh's NATS: where it is and how Sluice's own services log in to it (the mesh's NATS account,
 * which tenants' connectors cannot use). One shape for the bus, the config store, the CLI and every
 * service. At most one way to log in: a user and password, a token, or a creds file (a JWT and an
 * NKey seed, as `nsc` writes them); none for a NATS without authentication.
 */
export const natsConfigShape = {
  /** One or more comma-separated NATS URLs. */
  SLUICE_NATS_URL: z
    .string()
    .default('nats://127.0.0.1:4222')
    .refine(
      (v) => v.split(',').every((u) => URL.canParse(u.trim())),
      'expected a URL or comma-separated URLs',
    ),
  SLUICE_NATS_USER: z.string().optional(),
  // why a minimum: a short or placeholder password (the Secret template's REPLACE_ME) stops the start
  SLUICE_NATS_PASSWORD: z
    .string()
    .min(16, 'expected at least 16 characters (generate one with: echo s$(openssl rand -hex 24))')
    .optional(),
  SLUICE_NATS_TOKEN: z.string().optional(),
  /** Path of a `.creds` file (the mesh account's user JWT and NKey seed). */
  SLUICE_NATS_CREDS: z.string().optional(),
};

/** The mesh's NATS settings, as {@link natsConfigShape} parses them. */
export interface NatsSettings {
  SLUICE_NATS_URL: string;
  SLUICE_NATS_USER?: string | undefined;
  SLUICE_NATS_PASSWORD?: string | undefined;
  SLUICE_NATS_TOKEN?: string | undefined;
  SLUICE_NATS_CREDS?: string | undefined;
}

/** Settings masked in the effective configuration of every service, whatever its own list says. */
export const alwaysSensitive: readonly string[] = ['SLUICE_NATS_PASSWORD', 'SLUICE_NATS_TOKEN'];

/**
 * The problems of the NATS login settings taken together (each alone is checked by the shape):
 * a user needs a password and the reverse, and only one way to log in may be set.
 *
 * @example natsAuthProblems({ SLUICE_NATS_URL: 'nats://n:4222', SLUICE_NATS_USER: 'sluice' });
 * // [{ setting: 'SLUICE_NATS_PASSWORD', problem: 'required with SLUICE_NATS_USER' }]
 */
export function natsAuthProblems(settings: NatsSettings): { setting: string; problem: string }[] {
  const problems: { setting: string; problem: string }[] = [];
  const { SLUICE_NATS_USER: user, SLUICE_NATS_PASSWORD: pass } = settings;
  if (user !== undefined && pass === undefined)
    problems.push({ setting: 'SLUICE_NATS_PASSWORD', problem: 'required with SLUICE_NATS_USER' });
  if (pass !== undefined && user === undefined)
    problems.push({ setting: 'SLUICE_NATS_USER', problem: 'required with SLUICE_NATS_PASSWORD' });
  const ways = [
    user !== undefined || pass !== undefined ? 'SLUICE_NATS_USER/SLUICE_NATS_PASSWORD' : undefined,
    settings.SLUICE_NATS_TOKEN !== undefined ? 'SLUICE_NATS_TOKEN' : undefined,
    settings.SLUICE_NATS_CREDS !== undefined ? 'SLUICE_NATS_CREDS' : undefined,
  ].filter((w) => w !== undefined);
  if (ways.length > 1)
    problems.push({ setting: ways[1]!, problem: `set one way to log in to NATS, not ${ways.join(' and ')}` });
  return problems;
}
