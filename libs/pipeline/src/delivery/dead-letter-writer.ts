import { encodeDeadLetter, type ActionRequest, type Bus, type BusMessage, type Subjects } from '@sluice/bus';
import { describeError } from '@sluice/errors';
import { LogSampler } from '@sluice/telemetry';
import type { StageLogger } from '../stage-logger';

/**
 * Writes dead letters (the original request, the last error, the attempts) and acks the message
 * only once the DLQ stream has it: a message is never acked unless delivered or dead-lettered.
 */
export class DeadLetterWriter {
  /** One line per connector and error code a minute, with the count left out (a dead target dead-letters every request). */
  private readonly sampler = new LogSampler();

  constructor(
    private readonly bus: Bus,
    private readonly subjects: Subjects,
    private readonly log: StageLogger,
    private readonly retryMs: number,
  ) {}

  /** True when stored and acked; false when the DLQ refused it (the message was nak'ed). */
  async write(
    message: BusMessage,
    request: ActionRequest | undefined,
    failure: { code: string; message: string },
    attempts: number,
  ): Promise<boolean> {
    if (!(await this.store(message.msgId, request, failure, attempts))) {
      // why: never ack what is neither delivered nor dead-lettered; try again later
      message.nak(this.retryMs);
      return false;
    }
    await message.ack();
    return true;
  }

  /**
   * Stores one dead letter with the stable message id `dlq:<letterId>` and acks nothing (a request
   * of a batch envelope: the caller acks the batch). False when the DLQ refused it.
   */
  async store(
    letterId: string,
    request: ActionRequest | undefined,
    failure: { code: string; message: string },
    attempts: number,
  ): Promise<boolean> {
    const data = encodeDeadLetter({
      request,
      errorCode: failure.code,
      errorMessage: failure.message,
      attempts,
      failedAt: Date.now(),
    });
    const subject = request
      ? this.subjects.dlq(request.tenant, request.connectorId)
      : this.subjects.dlq('_', '_');
    try {
      await this.bus.publish(subject, data, { msgId: `dlq:${letterId}` });
    } catch (error) {
      this.log.warn(`could not store dead letter for ${letterId}: ${describeError(error).message}`);
      return false;
    }
    const where = request ? `${request.tenant}/${request.connectorId}` : 'unknown connector';
    const skipped = this.sampler.take(`${where}\u0000${failure.code}`);
    if (skipped !== undefined)
      this.log.warn(
        `dead-lettered ${letterId} (${where}) after ${attempts} attempt(s): ${failure.code}: ${failure.message}${LogSampler.suffix(skipped)}`,
      );
    return true;
  }
}
