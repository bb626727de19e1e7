import type { Bus } from './bus';
import type { BusConfig } from './bus.config';
import type { BusLogger } from './bus-logger';
import { InProcessBus } from './in-process/in-process-bus';
import { JetStreamBus } from './jetstream/jetstream-bus';
import { createSubjects } from './subjects';

export interface CreateBusOptions {
  /** Overrides SLUICE_BUS_NAMESPACE (tests pass `testNamespace().streamPrefix`). */
  namespace?: string;
  logger?: BusLogger;
}

/**
 * The bus the configuration asks for: JetStream when SLUICE_BUS=nats, else the in-process bus.
 * Call `start()` before use and `close()` at the end.
 *
 * @example
 * const bus = createBus(loadRulesConfig(), { logger: new Logger('Bus') });
 * await bus.start();
 */
export function createBus(config: BusConfig, options: CreateBusOptions = {}): Bus {
  const subjects = createSubjects(options.namespace ?? config.SLUICE_BUS_NAMESPACE);
  return config.SLUICE_BUS === 'nats'
    ? new JetStreamBus(config, subjects, options.logger)
    : new InProcessBus(config, subjects, options.logger);
}
