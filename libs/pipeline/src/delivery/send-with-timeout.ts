import type { Action, DeliveryOutcome, DeliveryRecord } from '@sluice/connectors';
import { describeError } from '@sluice/errors';

/**
 * Sends a batch with a deadline: a hung target answers `DELIVERY_TIMEOUT` (retryable) for every
 * record after `timeoutMs`, so it cannot stall the pipeline. `onLateReply` runs when the target
 * answers after that (the request may have been applied: the retry relies on the stable id).
 * Always one outcome per record; never throws, even when the action breaks its contract.
 */
export async function sendWithTimeout(
  action: Action,
  records: readonly DeliveryRecord[],
  timeoutMs: number,
  onLateReply: () => void = () => undefined,
): Promise<DeliveryOutcome[]> {
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<DeliveryOutcome[]>((resolve) => {
    timer = setTimeout(() => {
      timedOut = true;
      resolve(records.map(() => failure('DELIVERY_TIMEOUT', `no answer within ${timeoutMs} ms`)));
    }, timeoutMs);
  });
  const sending = Promise.resolve()
    .then(() => action.send(records))
    .then(
      (outcomes) => {
        if (timedOut) onLateReply();
        return records.map(
          (_, i) => outcomes[i] ?? failure('DELIVERY_NO_OUTCOME', 'connector gave no outcome'),
        );
      },
      (error: unknown) => records.map(() => failure('DELIVERY_SEND_FAILED', describeError(error).message)),
    );
  try {
    return await Promise.race([sending, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function failure(code: string, message: string): DeliveryOutcome {
  return { ok: false, retryable: true, code, message };
}
