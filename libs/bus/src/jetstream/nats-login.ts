import { readFileSync } from 'node:fs';
import { ConfigError, natsAuthProblems, type NatsSettings } from '@sluice/config';
import { credsAuthenticator, type ConnectionOptions } from 'nats';

/** What nats.js needs to reach the mesh's NATS and log in to the mesh's account. */
export type NatsLogin = Pick<ConnectionOptions, 'user' | 'pass' | 'token' | 'authenticator'> & {
  servers: string[];
};

/**
 * The servers and login of the mesh's NATS, for every connection Sluice's own services (and the
 * CLI) open to it: the bus, the config store, the dead-letter tools. Throws `ConfigError` naming
 * the settings when they do not go together or the creds file cannot be read.
 *
 * @example const nc = await connect({ ...natsLogin(config), name: 'sluice-bus' });
 */
export function natsLogin(settings: NatsSettings): NatsLogin {
  const problems = natsAuthProblems(settings);
  if (problems.length > 0) throw new ConfigError(problems);
  const servers = settings.SLUICE_NATS_URL.split(',').map((s) => s.trim());
  if (settings.SLUICE_NATS_CREDS !== undefined) {
    let creds: Uint8Array;
    try {
      creds = readFileSync(settings.SLUICE_NATS_CREDS);
    } catch (error) {
      throw new ConfigError([
        {
          setting: 'SLUICE_NATS_CREDS',
          problem: `cannot read ${settings.SLUICE_NATS_CREDS}: ${(error as Error).message}`,
        },
      ]);
    }
    return { servers, authenticator: credsAuthenticator(creds) };
  }
  if (settings.SLUICE_NATS_TOKEN !== undefined) return { servers, token: settings.SLUICE_NATS_TOKEN };
  if (settings.SLUICE_NATS_USER !== undefined)
    return { servers, user: settings.SLUICE_NATS_USER, pass: settings.SLUICE_NATS_PASSWORD };
  return { servers };
}
