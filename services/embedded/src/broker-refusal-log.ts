import type { Logger } from '@nestjs/common';
import type { BrokerRefusal } from '@sluice/embedded-broker';
import { LogSampler } from '@sluice/telemetry';

/**
 * Logs what the embedded broker refused (a login, a topic, a revoked key) at `warn`, at most one
 * line a minute per code and principal with the count left out, so a device retrying in a loop
 * cannot flood the log. No credentials ever reach it.
 *
 * @example new BrokerRefusalLog(logger).note({ code: 'MQTT_TOPIC_FORBIDDEN', clientId, principal, detail });
 */
export class BrokerRefusalLog {
  private readonly sampler = new LogSampler();

  constructor(private readonly logger: Pick<Logger, 'warn'>) {}

  note(refusal: BrokerRefusal): void {
    const skipped = this.sampler.take(`${refusal.code}\u0000${refusal.principal}`);
    if (skipped === undefined) return;
    this.logger.warn(
      `embedded MQTT broker refused ${refusal.principal} (client '${refusal.clientId}'): ${refusal.code}: ` +
        `${refusal.detail}${LogSampler.suffix(skipped)}`,
    );
  }
}
