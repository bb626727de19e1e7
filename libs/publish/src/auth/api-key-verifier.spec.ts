import { parseBasicAuthorization } from '@sluice/publish';

const basic = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

describe('parseBasicAuthorization', () => {
  it('splits at the first colon, so passwords may contain colons', () => {
    expect(parseBasicAuthorization(basic('admin:a:b:c'))).toEqual({ username: 'admin', password: 'a:b:c' });
  });
  it('accepts the scheme in any case and an empty password', () => {
    expect(parseBasicAuthorization(`basic ${btoa('key:')}`)).toEqual({ username: 'key', password: '' });
  });
  it.each([
    ['no header', undefined],
    ['empty', ''],
    ['another scheme', 'Bearer abc'],
    ['no colon', basic('justakey')],
    ['empty username', basic(':secret')],
    ['not base64', 'Basic ***'],
  ])('rejects %s', (_what, header) => {
    expect(parseBasicAuthorization(header)).toBeUndefined();
  });
});
