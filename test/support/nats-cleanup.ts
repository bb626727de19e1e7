import { connect } from 'nats';
import { testServers } from './test-namespace';

/**
 * Deletes the JetStream streams and KV buckets of test namespaces (`T_<id>_...`): those of one
 * namespace, or, with `olderThanMs`, every test namespace's older than that (left by a crashed run).
 * Streams reserve their max bytes on the server, so leftovers end in "insufficient storage".
 */
export async function deleteTestStreams(options: { prefix?: string; olderThanMs?: number }): Promise<number> {
  const nc = await connect({ servers: testServers.natsUrl, noAsyncTraces: true });
  let deleted = 0;
  try {
    const jsm = await nc.jetstreamManager();
    const cutoff = options.olderThanMs === undefined ? Infinity : Date.now() - options.olderThanMs;
    for await (const stream of jsm.streams.list()) {
      const name = stream.config.name.replace(/^KV_/, '');
      const matches = options.prefix ? name.startsWith(options.prefix) : /^T_[0-9a-f]+_/.test(name);
      if (matches && Date.parse(stream.created) < cutoff) {
        await jsm.streams.delete(stream.config.name);
        deleted++;
      }
    }
  } finally {
    await nc.close();
  }
  return deleted;
}

/** Stream limits small enough that many test namespaces fit on one server. */
export const smallStreamLimits = {
  SLUICE_BUS_INGEST_MAX_BYTES: String(64 * 1024 * 1024),
  SLUICE_BUS_ACTIONS_MAX_BYTES: String(64 * 1024 * 1024),
  SLUICE_BUS_DLQ_MAX_BYTES: String(16 * 1024 * 1024),
};
