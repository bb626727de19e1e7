import type { DeliveryOutcome } from '../connector';
import { KafkaBatcher } from './kafka-batcher';

// The batcher is internal to the Kafka driver (not exported), so this spec imports it directly.
describe('KafkaBatcher', () => {
  const recorder = () => {
    const requests: number[][] = [];
    const produce = (entries: { id: number; size: number }[]): Promise<DeliveryOutcome[]> => {
      requests.push(entries.map((e) => e.id));
      return Promise.resolve(
        entries.map((e) =>
          e.id === 99 ? { ok: false, retryable: true, code: 'X', message: 'm' } : { ok: true },
        ),
      );
    };
    return { requests, produce };
  };
  const entries = (...ids: number[]) => ids.map((id) => ({ id, size: 10 }));

  it('splits by count and answers each caller in order', async () => {
    const { requests, produce } = recorder();
    const batcher = new KafkaBatcher(produce, { maxBatchSize: 2, maxBatchBytes: 1_000, lingerMs: 0 });
    const outcomes = await batcher.add(entries(1, 2, 3, 99, 5));
    expect(requests).toEqual([[1, 2], [3, 99], [5]]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, false, true]);
  });

  it('splits by bytes', async () => {
    const { requests, produce } = recorder();
    const batcher = new KafkaBatcher(produce, { maxBatchSize: 100, maxBatchBytes: 25, lingerMs: 0 });
    await batcher.add(entries(1, 2, 3, 4));
    expect(requests).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('gathers separate adds within the linger time into one request', async () => {
    const { requests, produce } = recorder();
    const batcher = new KafkaBatcher(produce, { maxBatchSize: 100, maxBatchBytes: 1_000, lingerMs: 20 });
    const [a, b] = await Promise.all([batcher.add(entries(1)), batcher.add(entries(2, 3))]);
    expect(requests).toEqual([[1, 2, 3]]);
    expect([...a, ...b].every((o) => o.ok)).toBe(true);
  });
});
