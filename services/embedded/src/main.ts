import { Logger } from '@nestjs/common';
import { initLogging, startNestApp } from '@sluice/app-runtime';
import { startEmbeddedBroker } from '@sluice/embedded-broker';
import { consoleLine } from '../../gateway/src/console/console-files';
import { installGraphqlGate } from '../../gateway/src/graphql/graphql-gate';
import { ADMIN_USERNAME } from '../../gateway/src/publish/persistence-api-key.verifier';
import { BrokerRefusalLog } from './broker-refusal-log';
import { loadEmbeddedConfig } from './config';
import { EmbeddedModule } from './embedded.module';
import { loadOrCreateOperatorKey } from './operator-key';

const DEFAULT_MQTT_PORT = 1883;

/**
 * Starts all four services in one process (`sluice start all`, `npm start`): the embedded MQTT
 * broker when SLUICE_MQTT_URL is unset, SQLite when SLUICE_DATABASE_URL is unset, and the
 * in-process bus unless SLUICE_BUS=nats.
 */
export async function startEmbedded(env: NodeJS.ProcessEnv = process.env) {
  const config = loadEmbeddedConfig(env);
  initLogging('sluice', config);
  const logger = new Logger('Sluice');
  let adminKey = config.SLUICE_ADMIN_KEY;
  if (!adminKey) {
    const kept = loadOrCreateOperatorKey(config.SLUICE_DATA_DIR);
    adminKey = kept.key;
    // why printed only when made: it is kept in the data directory, and a log is not a secret store
    if (kept.created)
      logger.warn(
        `SLUICE_ADMIN_KEY is not set; generated the operator key ${adminKey} (kept in ${kept.path})`,
      );
    else logger.log(`SLUICE_ADMIN_KEY is not set; using the operator key kept in ${kept.path}`);
  }
  // why: ingest and the publish API log in to the embedded broker as the operator, with
  // SLUICE_MQTT_USERNAME/PASSWORD when set, else as `admin` with the operator key
  const operatorLogin =
    config.SLUICE_MQTT_USERNAME !== undefined
      ? { username: config.SLUICE_MQTT_USERNAME, password: config.SLUICE_MQTT_PASSWORD ?? '' }
      : { username: ADMIN_USERNAME, password: adminKey };
  const refusals = new BrokerRefusalLog(logger);
  const broker = config.SLUICE_MQTT_URL
    ? null
    : await startEmbeddedBroker({
        port: config.SLUICE_EMBEDDED_MQTT_PORT ?? DEFAULT_MQTT_PORT,
        host: config.SLUICE_EMBEDDED_MQTT_HOST,
        // why only when unset: a port the user chose must not move; the default often collides
        // with a broker already installed on the machine, and the quick start must still run
        fallbackToFreePort: config.SLUICE_EMBEDDED_MQTT_PORT === undefined,
        // why: it keeps nothing across restarts; a publish taken before ingest subscribes is lost
        holdPublishes: true,
        access: { operator: operatorLogin, onRefused: (refusal) => refusals.note(refusal) },
      });
  if (broker?.portInUse !== undefined) {
    logger.warn(
      `port ${broker.portInUse} is in use (another MQTT broker?), so the embedded MQTT broker listens on ` +
        `${broker.url} instead. Set SLUICE_EMBEDDED_MQTT_PORT to choose its port, or ` +
        `SLUICE_MQTT_URL=mqtt://127.0.0.1:${broker.portInUse} to use the broker that holds it.`,
    );
  } else if (broker) logger.log(`embedded MQTT broker listening on ${broker.url}`);
  try {
    const app = await startNestApp(
      'sluice (embedded: ingest, rules, delivery, gateway)',
      EmbeddedModule.forRoot(config, {
        broker,
        mqttUrl: broker?.url ?? config.SLUICE_MQTT_URL!,
        adminKey,
        ...(broker ? { operatorLogin } : {}),
      }),
      config,
      {
        operatorKey: adminKey,
        beforeBodyParser: installGraphqlGate,
        // why first: a publish the broker acknowledged must reach ingest (and the bus log) before
        // ingest stops, and no new one may come in after
        beforeClose: async () => {
          if (!broker) return;
          await broker.stopAccepting();
          logger.log('embedded MQTT broker: no longer accepting connections or publishes');
        },
      },
    );
    // why after the start: ingest has subscribed, so every publish the broker acknowledges reaches it
    broker?.openForPublishes();
    // why last: the line a person clicks after `npm start` (signing in takes the operator key)
    logger.log(consoleLine(config.SLUICE_HTTP_HOST, config.SLUICE_HTTP_PORT));
    return app;
  } catch (error) {
    await broker?.close();
    throw error;
  }
}
