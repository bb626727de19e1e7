import { connect } from 'nats';
import { BusUnavailableError, InvalidSubjectTokenError } from '../errors';
import { createSubjects, STREAM_NAMES } from '../subjects';

/**
 * Deletes the INGEST, ACTIONS and DLQ streams of a namespace (tests' afterAll, removing an
 * installation). Refuses the empty namespace, so it never removes a production's unprefixed streams.
 *
 * @example afterAll(() => deleteBusStreams(testServers.natsUrl, ns.streamPrefix));
 */
export async function deleteBusStreams(natsUrl: string, namespace: string): Promise<void> {
  if (namespace === '')
    throw new InvalidSubjectTokenError('namespace to delete (must not be empty)', namespace);
  const subjects = createSubjects(namespace);
  let nc;
  try {
    nc = await connect({ servers: natsUrl.split(',').map((s) => s.trim()), noAsyncTraces: true });
  } catch (error) {
    throw new BusUnavailableError(`cannot connect to NATS at ${natsUrl}: ${(error as Error).message}`, {
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
