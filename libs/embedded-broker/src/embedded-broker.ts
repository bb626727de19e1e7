import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { SluiceError } from '@sluice/errors';
import { installBrokerAccess, type BrokerAccessOptions, type BrokerAuthenticator } from './broker-access';
import { PublishIntake, type IntakeTake } from './publish-intake';

export class EmbeddedBrokerError extends SluiceError {
  readonly code = 'EMBEDDED_BROKER_START';
  readonly category = 'UNAVAILABLE';

  constructor(
    message: string,
    options?: ErrorOptions,
    /** True when the failure was only that the port is taken. */
    readonly portInUse = false,
  ) {
    super(message, options);
  }
}

export interface EmbeddedBroker {
  /** `mqtt://<host>:<port>` to connect to. */
  readonly url: string;
  readonly port: number;
  /** The port asked for, when it was taken and `fallbackToFreePort` chose `port` instead. */
  readonly portInUse?: number;
  /** Lets clients publish (with `holdPublishes`, once the subscribers that must see every message are on). */
  openForPublishes(): void;
  /**
   * Hands every publish matching one of `filters` to `take`, after the authorization hooks and
   * before the publisher is acknowledged: a QoS 1/2 publisher gets its PUBACK/PUBREC only once
   * every matching `take` resolved, and a rejection refuses the publish (the publisher is
   * disconnected and sends it again). Returns what removes the intake. This is how ingest stores
   * what the embedded broker receives (a subscriber cannot do it: aedes sends the PUBACK of a
   * QoS 1 publish before it forwards the publish).
   *
   * @example const remove = broker.intake(['sensors/#'], async (packet) => { await store(packet); });
   */
  intake(filters: readonly string[], take: IntakeTake): () => void;
  /** Runs `change` while new publishes wait (unacknowledged, not refused) for it to finish. */
  holdWhile<T>(change: () => Promise<T>): Promise<T>;
  /**
   * The first step of a graceful stop: takes no new connection and refuses every publish (the
   * publisher is disconnected and retries later or elsewhere), then waits until what it already
   * took is stored by its intakes and forwarded to its subscribers, at most `maxWaitMs`.
   */
  stopAccepting(maxWaitMs?: number): Promise<void>;
  /**
   * With `access`: accepts API keys (checked by `authenticator`) from now on, and anonymous
   * clients as it decides; until then only the operator's login connects. Without: nothing.
   */
  useAuthenticator(authenticator: BrokerAuthenticator): void;
  /** Disconnects the clients and stops listening. */
  close(): Promise<void>;
}

/** Quiet this long after the last forward or acknowledgement: the subscribers have what was taken. */
const DRAIN_QUIET_MS = 200;

export interface EmbeddedBrokerOptions {
  port: number;
  host?: string;
  /**
   * When `port` is taken, listen on a free port the system picks instead of failing (the default
   * port 1883 is often held by a broker already installed on the machine).
   */
  fallbackToFreePort?: boolean;
  /**
   * Refuse publishes until `openForPublishes()`: this broker keeps nothing across restarts, so a
   * message taken before ingest subscribed again would be acknowledged and then lost. A refused
   * publisher is disconnected and sends again when it reconnects.
   */
  holdPublishes?: boolean;
  /**
   * Require a login (the operator's, or what the authenticator accepts) and confine tenants' clients
   * to their namespaces (docs/security.md). Without it the broker is open to anyone who reaches it
   * (library tests and benches).
   */
  access?: BrokerAccessOptions;
}

/**
 * Starts the embedded MQTT 3.1.1 broker (aedes) used when no broker URL is configured.
 * It has no shared subscriptions, so sources subscribe plainly on one connection.
 *
 * @example const broker = await startEmbeddedBroker({ port: 1883 }); // broker.url === 'mqtt://127.0.0.1:1883'
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  try {
    return await listen(options.port, options.host ?? '127.0.0.1', options);
  } catch (error) {
    const inUse = error instanceof EmbeddedBrokerError && error.portInUse;
    if (!inUse || !options.fallbackToFreePort || options.port === 0) throw error;
    const broker = await listen(0, options.host ?? '127.0.0.1', options);
    return { ...broker, portInUse: options.port };
  }
}

async function listen(
  requestedPort: number,
  host: string,
  { holdPublishes = false, access: accessOptions }: EmbeddedBrokerOptions,
): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker();
  let publishes: 'held' | 'open' | 'stopping' = holdPublishes ? 'held' : 'open';
  const intake = new PublishIntake();
  const authorize = aedes.authorizePublish;
  aedes.authorizePublish = (client, packet, callback) => {
    if (publishes !== 'open' && client) {
      callback(
        new Error(
          publishes === 'held' ? 'the embedded broker is starting' : 'the embedded broker is shutting down',
        ),
      );
      return;
    }
    authorize.call(aedes, client, packet, (error) => {
      if (error) return callback(error);
      // why last: the intake stores the publish as every authorization hook left it (a namespace
      // may have rewritten its topic), and aedes acknowledges it only once the callback ran
      intake.take(packet, callback);
    });
  };
  // why after the gate: confinement wraps it, so a tenant's publish is checked, mounted, then held or taken
  const access = accessOptions ? installBrokerAccess(aedes, accessOptions) : undefined;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    socket.setNoDelay(true); // why: Nagle halves small-message throughput (docs/benchmarks.md)
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      access?.stop();
      aedes.close();
      reject(
        new EmbeddedBrokerError(
          error.code === 'EADDRINUSE'
            ? `Cannot start the embedded MQTT broker: port ${requestedPort} on ${host} is in use. ` +
                'Set SLUICE_EMBEDDED_MQTT_PORT to a free port, or SLUICE_MQTT_URL to use that broker.'
            : `Cannot start the embedded MQTT broker on ${host}:${requestedPort}: ${error.message}`,
          { cause: error },
          error.code === 'EADDRINUSE',
        ),
      );
    });
    server.listen(requestedPort, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : requestedPort;
  return {
    url: `mqtt://${host}:${port}`,
    port,
    openForPublishes: () => {
      if (publishes === 'held') publishes = 'open';
    },
    intake: (filters, take) => intake.add(filters, take),
    holdWhile: (change) => intake.holdWhile(change),
    stopAccepting: async (maxWaitMs = 5_000) => {
      publishes = 'stopping';
      server.close();
      const deadline = Date.now() + maxWaitMs;
      await intake.idle(maxWaitMs);
      await untilQuiet(aedes, DRAIN_QUIET_MS, Math.max(0, deadline - Date.now()));
    },
    useAuthenticator: (authenticator) => access?.useAuthenticator(authenticator),
    close: async () => {
      access?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        aedes.close(() => undefined);
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

/** Resolves once the broker forwarded and saw acknowledged nothing for `quietMs` (or after `maxMs`). */
async function untilQuiet(aedes: Aedes, quietMs: number, maxMs: number): Promise<void> {
  let last = Date.now();
  const touch = () => (last = Date.now());
  aedes.on('publish', touch);
  aedes.on('ack', touch);
  const deadline = Date.now() + maxMs;
  try {
    while (Date.now() - last < quietMs && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, quietMs / 4));
    }
  } finally {
    aedes.off('publish', touch);
    aedes.off('ack', touch);
  }
}
