import { redactUrlCredentials, type NatsSettings } from '@sluice/config';
import { connect } from 'nats';
import { BusUnavailableError, InvalidSubjectTokenError } from '../errors';
import { createSubjects, STREAM_NAMES } from '../subjects';
import { natsLogin } from './nats-login';

/**
 * Deletes the INGEST, ACTIONS and DLQ streams of a namespace (tests' afterAll, removing an
 * installation) on the NATS `nats` names (a URL list, or the mesh's settings with its login). Refuses the empty namespace, so it never removes a production's unprefixed streams.
 *
 * @example afterAll(() => deleteBusStreams(testServers.natsUrl, ns.streamPrefix));
 */
export async function deleteBusStreams(nats: string | NatsSettings, namespace: string): Promise<void> {
  if (namespace === '')
    throw new InvalidSubjectTokenError('namespace to delete (must not be empty)', namespace);
  const subjects = createSubjects(namespace);
  const settings = typeof nats === 'string' ? { SLUICE_NATS_URL: nats } : nats;
  let nc;
  try {
    nc = await connect({ ...natsLogin(settings), noAsyncTraces: true });
  } catch (error) {
    const where = redactUrlCredentials(settings.SLUICE_NATS_URL);
    throw new BusUnavailableError(`cannot connect to NATS at ${where}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    const jsm = await nc.jetstreamManager();
    for (const name of STREAM_NAMES) {
      await jsm.streams.delete(subjects.stream(name)).catch((error: unknown) => {
        if (!/not found/i.test(String(error))) throw error;
      });
    }
  } finally {
    await nc.close();
  }
}
