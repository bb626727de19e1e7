import type { Action, DeliveryOutcome, DeliveryRecord } from '@sluice/connectors';
import { describeError } from '@sluice/errors';

/**
 * Sends a batch with a deadline: a hung target answers `DELIVERY_TIMEOUT` (retryable) for every
 * record after `timeoutMs`, so it cannot stall the pipeline. `onLateReply` runs when the target
 * answers after that (the request may have been applied: the retry relies on the stable id).
 * Always one outcome per record; never throws, even when the action breaks its contract.
 */
export function sendWithTimeout(
  action: Action,
  records: readonly DeliveryRecord[],
  timeoutMs: number,
  onLateReply: () => void = () => undefined,
): Promise<DeliveryOutcome[]> {
  // why one promise settled by whichever comes first, not Promise.race: this runs per request for
  // actions that take one record per send, and the race cost three promises more each time
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      resolve(records.map(() => failure('DELIVERY_TIMEOUT', `no answer within ${timeoutMs} ms`)));
    }, timeoutMs);
    const settle = (outcomes: DeliveryOutcome[]): void => {
      if (timedOut) return onLateReply();
      clearTimeout(timer);
      resolve(outcomes);
    };
    const broken = (error: unknown): void =>
      settle(records.map(() => failure('DELIVERY_SEND_FAILED', describeError(error).message)));
    let sending: Promise<DeliveryOutcome[]> | undefined;
    try {
      sending = action.send(records);
    } catch (error) {
      return broken(error);
    }
    // why Promise.resolve: the same promise when it is one (nothing allocated), and a send that
    // broke its contract by returning something else still gets an outcome per record
    void Promise.resolve(sending).then(
      (outcomes: DeliveryOutcome[] | undefined) =>
        settle(
          records.map((_, i) => outcomes?.[i] ?? failure('DELIVERY_NO_OUTCOME', 'connector gave no outcome')),
        ),
      broken,
    );
  });
}

function failure(code: string, message: string): DeliveryOutcome {
  return { ok: false, retryable: true, code, message };
}
