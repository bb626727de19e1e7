import { join, resolve } from 'node:path';
import type { Bus } from './bus';
import type { BusConfig } from './bus.config';
import type { BusLogger } from './bus-logger';
import { InProcessBus } from './in-process/in-process-bus';
import { SqliteBusStore } from './in-process/sqlite-bus-store';
import { JetStreamBus } from './jetstream/jetstream-bus';
import { createSubjects } from './subjects';

export interface CreateBusOptions {
  /** Overrides SLUICE_BUS_NAMESPACE (tests pass `testNamespace().streamPrefix`). */
  namespace?: string;
  logger?: BusLogger;
}

/**
 * The bus the configuration asks for: JetStream when SLUICE_BUS=nats, else the in-process bus,
 * on a log in `${SLUICE_DATA_DIR}/bus.db` unless SLUICE_BUS_STORAGE=memory. Call `start()` before
 * use and `close()` at the end. Throws BusLogUnreadableError when the log cannot be opened.
 *
 * @example
 * const bus = createBus(loadRulesConfig(), { logger: new Logger('Bus') });
 * await bus.start();
 */
export function createBus(config: BusConfig, options: CreateBusOptions = {}): Bus {
  const subjects = createSubjects(options.namespace ?? config.SLUICE_BUS_NAMESPACE);
  if (config.SLUICE_BUS === 'nats') return new JetStreamBus(config, subjects, options.logger);
  const store =
    config.SLUICE_BUS_STORAGE === 'file'
      ? SqliteBusStore.open(busLogFile(config), { sync: config.SLUICE_BUS_SYNC, logger: options.logger })
      : undefined;
  return new InProcessBus(config, subjects, options.logger, store);
}

/** Where the in-process bus keeps its log. */
export function busLogFile(config: Pick<BusConfig, 'SLUICE_DATA_DIR'>): string {
  return resolve(join(config.SLUICE_DATA_DIR, 'bus.db'));
}
