import type { Action, DeliveryOutcome, DeliveryRecord } from '@sluice/connectors';
import { sendWithTimeout } from './send-with-timeout';

const records: DeliveryRecord[] = [
  { id: 'a', data: {} },
  { id: 'b', data: {} },
];
const action = (send: (records: readonly DeliveryRecord[]) => unknown): Action =>
  ({ maxBatchSize: 2, send }) as unknown as Action;

describe('sendWithTimeout', () => {
  it("gives the action's outcomes in order", async () => {
    const outcomes: DeliveryOutcome[] = [
      { ok: true },
      { ok: false, retryable: false, code: 'X', message: 'x' },
    ];
    expect(
      await sendWithTimeout(
        action(async () => outcomes),
        records,
        1_000,
      ),
    ).toEqual(outcomes);
  });

  it('answers DELIVERY_SEND_FAILED for every record when send throws or rejects', async () => {
    const expected = { ok: false, retryable: true, code: 'DELIVERY_SEND_FAILED', message: 'boom' };
    const throwing = action(() => {
      throw new Error('boom');
    });
    expect(await sendWithTimeout(throwing, records, 1_000)).toEqual([expected, expected]);
    const rejecting = action(() => Promise.reject(new Error('boom')));
    expect(await sendWithTimeout(rejecting, records, 1_000)).toEqual([expected, expected]);
  });

  it('answers DELIVERY_NO_OUTCOME for records the action left out, or when it returns no promise', async () => {
    const missing = {
      ok: false,
      retryable: true,
      code: 'DELIVERY_NO_OUTCOME',
      message: 'connector gave no outcome',
    };
    expect(
      await sendWithTimeout(
        action(async () => [{ ok: true }]),
        records,
        1_000,
      ),
    ).toEqual([{ ok: true }, missing]);
    expect(
      await sendWithTimeout(
        action(() => undefined),
        records,
        1_000,
      ),
    ).toEqual([missing, missing]);
  });

  it('answers DELIVERY_TIMEOUT after the deadline and reports the late reply once it comes', async () => {
    let answer: (outcomes: DeliveryOutcome[]) => void = () => undefined;
    const late = vi.fn();
    const hung = action(() => new Promise<DeliveryOutcome[]>((resolve) => (answer = resolve)));
    const started = Date.now();
    const outcomes = await sendWithTimeout(hung, records, 50, late);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(outcomes).toEqual([
      { ok: false, retryable: true, code: 'DELIVERY_TIMEOUT', message: 'no answer within 50 ms' },
      { ok: false, retryable: true, code: 'DELIVERY_TIMEOUT', message: 'no answer within 50 ms' },
    ]);
    expect(late).not.toHaveBeenCalled();
    answer([{ ok: true }, { ok: true }]);
    await vi.waitFor(() => expect(late).toHaveBeenCalledTimes(1));
  });
});
