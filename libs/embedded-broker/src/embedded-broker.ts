import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { SluiceError } from '@sluice/errors';

export class EmbeddedBrokerError extends SluiceError {
  readonly code = 'EMBEDDED_BROKER_START';
  readonly category = 'UNAVAILABLE';
}

export interface EmbeddedBroker {
  /** `mqtt://<host>:<port>` to connect to. */
  readonly url: string;
  readonly port: number;
  /** Disconnects the clients and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts the embedded MQTT 3.1.1 broker (aedes) used when no broker URL is configured.
 * It has no shared subscriptions, so sources subscribe plainly on one connection.
 *
 * @example const broker = await startEmbeddedBroker({ port: 1883 }); // broker.url === 'mqtt://127.0.0.1:1883'
 */
export async function startEmbeddedBroker(options: { port: number; host?: string }): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    socket.setNoDelay(true); // why: Nagle halves small-message throughput (BASELINES.md)
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      aedes.close();
      reject(
        new EmbeddedBrokerError(
          error.code === 'EADDRINUSE'
            ? `Cannot start the embedded MQTT broker: port ${options.port} on ${host} is in use. ` +
                'Set SLUICE_EMBEDDED_MQTT_PORT to a free port, or SLUICE_MQTT_URL to use that broker.'
            : `Cannot start the embedded MQTT broker on ${host}:${options.port}: ${error.message}`,
          { cause: error },
        ),
      );
    });
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `mqtt://${host}:${port}`,
    port,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        aedes.close(() => undefined);
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
