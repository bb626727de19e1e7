import { connect } from 'nats';
import { createConfigStore, InProcessConfigStore, type ConfigStore } from '@sluice/config-store';
import { ConfigStoreUnavailableError, JetStreamConfigStore } from '../src/jetstream-config-store';
import { type ConfigEntry } from '../src/config-store';
import { eventually, freePort, testNamespace, testServers } from '../../../test/support';

const text = (entry: ConfigEntry | null) => (entry?.value ? Buffer.from(entry.value).toString() : null);
const bytes = (s: string) => Buffer.from(s);

function contract(name: string, make: () => ConfigStore) {
  describe(`${name} config store`, () => {
    let store: ConfigStore;
    beforeEach(async () => {
      store = make();
      await store.start();
    });
    afterEach(() => store.close());

    it('puts, gets, lists and deletes, with increasing revisions', async () => {
      const r1 = await store.put('acme', bytes('v1'));
      const r2 = await store.put('acme', bytes('v2'));
      expect(r2).toBeGreaterThan(r1);
      expect(text(await store.get('acme'))).toBe('v2');
      expect(await store.keys()).toContain('acme');
      await store.delete('acme');
      expect(await store.get('acme')).toBeNull();
      expect(await store.keys()).not.toContain('acme');
    });

    it('a watcher gets the current entries first, then each change, in order', async () => {
      await store.put('a', bytes('a1'));
      await store.put('b', bytes('b1'));
      await store.put('a', bytes('a2'));
      const seen: string[] = [];
      let snapshotSize = -1;
      const watch = await store.watch(
        (entry) => seen.push(`${entry.key}=${text(entry) ?? 'deleted'}`),
        () => (snapshotSize = seen.length),
      );
      try {
        await eventually(() => expect(snapshotSize).toBe(2));
        expect(seen.sort()).toEqual(['a=a2', 'b=b1']);
        await store.put('c', bytes('c1'));
        await store.delete('b');
        await eventually(() => expect(seen.slice(2)).toEqual(['c=c1', 'b=deleted']));
      } finally {
        await watch.stop();
      }
    });

    it('calls the snapshot callback on an empty store', async () => {
      let done = false;
      const watch = await store.watch(
        () => undefined,
        () => (done = true),
      );
      await eventually(() => expect(done).toBe(true));
      await watch.stop();
    });
  });
}

const ns = testNamespace();
contract('in-process', () => new InProcessConfigStore());
contract('JetStream', () =>
  createConfigStore({
    SLUICE_BUS: 'nats',
    SLUICE_NATS_URL: testServers.natsUrl,
    SLUICE_BUS_NAMESPACE: `${ns.streamPrefix}${Math.random().toString(36).slice(2, 8)}_`,
  }),
);

afterAll(async () => {
  // remove the buckets this file created
  const nc = await connect({ servers: testServers.natsUrl });
  const jsm = await nc.jetstreamManager();
  for await (const stream of jsm.streams.list()) {
    if (stream.config.name.startsWith(`KV_${ns.streamPrefix}`)) await jsm.streams.delete(stream.config.name);
  }
  await nc.close();
});

describe('JetStream config store failures', () => {
  it('says which server it could not reach', async () => {
    const port = await freePort();
    const store = new JetStreamConfigStore({ servers: [`nats://127.0.0.1:${port}`], bucket: 'X' });
    const start = store.start();
    await expect(start).rejects.toBeInstanceOf(ConfigStoreUnavailableError);
    await expect(start).rejects.toThrow(`127.0.0.1:${port}`);
  });

  it('refuses to work before start', async () => {
    const store = new JetStreamConfigStore({ servers: [testServers.natsUrl], bucket: 'X' });
    await expect(store.put('a', bytes('x'))).rejects.toThrow('not started');
  });
});
