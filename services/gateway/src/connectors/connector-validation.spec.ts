import { validateConnectorConfig } from './connector-validation';

describe('validateConnectorConfig', () => {
  it('accepts the pipeline key `queue` beside the driver config', async () => {
    await expect(
      validateConnectorConfig('http', {
        url: 'http://127.0.0.1:9',
        queue: { maxMessages: 100, overflow: 'drop_new' },
      }),
    ).resolves.toBeUndefined();
  });

  it('names the field of a bad queue setting in the operation input', async () => {
    await expect(
      validateConnectorConfig('http', { url: 'http://127.0.0.1:9', queue: { maxMessages: 0 } }),
    ).rejects.toThrow(expect.objectContaining({ field: 'input.config.queue.maxMessages' }));
  });
});
