import { BusUnavailableError, isTransientSetupError, retryJetStreamSetup } from '@sluice/bus';

const natsError = (code: string, apiCode?: number) =>
  Object.assign(new Error(code), { code, api_error: apiCode ? { err_code: apiCode } : undefined });

describe('retryJetStreamSetup', () => {
  it('tells transient JetStream answers from final ones, also when wrapped', () => {
    expect(isTransientSetupError(natsError('TIMEOUT'))).toBe(true);
    expect(isTransientSetupError(natsError('503'))).toBe(true);
    expect(isTransientSetupError(natsError('400', 10008))).toBe(true);
    expect(isTransientSetupError(new BusUnavailableError('x', { cause: natsError('TIMEOUT') }))).toBe(true);
    expect(isTransientSetupError(natsError('400', 10058))).toBe(false); // stream name already in use
    expect(isTransientSetupError(new Error('insufficient resources'))).toBe(false);
  });

  it('runs the step again after transient failures and returns its result', async () => {
    let calls = 0;
    const result = await retryJetStreamSetup(async () => {
      if (++calls < 3) throw natsError('TIMEOUT');
      return 'created';
    }, 10_000);
    expect(result).toBe('created');
    expect(calls).toBe(3);
  });

  it('throws a final error at once, and a transient one once the time is up', async () => {
    let calls = 0;
    const final = new Error('stream name already in use with a different configuration');
    await expect(
      retryJetStreamSetup(async () => {
        calls++;
        throw final;
      }, 10_000),
    ).rejects.toBe(final);
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      retryJetStreamSetup(async () => {
        calls++;
        throw natsError('TIMEOUT');
      }, 300),
    ).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(calls).toBe(2);
  });
});
