const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 2_000;

/**
 * Whether a JetStream API call failed for a moment rather than for good: no answer in time
 * (TIMEOUT), no JetStream responder yet (503), or the cluster still electing its meta leader or
 * placing the stream (err_code 10008 "temporarily unavailable", 10005 "no suitable peers"). A
 * three-node cluster that is starting, or loaded, answers stream and consumer creation so.
 */
export function isTransientSetupError(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    const { code, api_error: api } = e as { code?: unknown; api_error?: { err_code?: number } };
    if (code === 'TIMEOUT' || code === '503') return true;
    if (api?.err_code === 10008 || api?.err_code === 10005) return true;
    if (e instanceof Error && /temporarily unavailable|no suitable peers/i.test(e.message)) return true;
  }
  return false;
}

/**
 * Runs a JetStream setup step (create or update a stream, consumer or KV bucket; each is
 * idempotent) again while it fails transiently, with capped exponential backoff, until `forMs`
 * have passed; then, or on any other error, throws that error.
 *
 * @example await retryJetStreamSetup(() => jsm.streams.add(config), 30_000);
 */
export async function retryJetStreamSetup<T>(step: () => Promise<T>, forMs: number): Promise<T> {
  const deadline = Date.now() + forMs;
  for (let delay = FIRST_DELAY_MS; ; delay = Math.min(MAX_DELAY_MS, delay * 2)) {
    try {
      return await step();
    } catch (error) {
      if (!isTransientSetupError(error) || Date.now() + delay > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
