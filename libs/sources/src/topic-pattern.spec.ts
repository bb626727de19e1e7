import { compileTopicPattern } from './topic-pattern';

describe('compileTopicPattern', () => {
  it('captures clientid and username from their levels', () => {
    const match = compileTopicPattern('devices/{username}/{clientid}/telemetry');
    expect(match('devices/alice/d1/telemetry')).toEqual({ username: 'alice', clientid: 'd1' });
    expect(match('devices/alice/d1/status')).toBeUndefined();
    expect(match('devices/alice/d1')).toBeUndefined();
    expect(match('devices/alice/d1/telemetry/extra')).toBeUndefined();
  });

  it('treats + as any one level and a final # as the rest, including nothing (MQTT semantics)', () => {
    const match = compileTopicPattern('+/{clientid}/#');
    expect(match('site/d2/a/b')).toEqual({ clientid: 'd2' });
    expect(match('site/d2')).toEqual({ clientid: 'd2' });
    expect(match('site')).toBeUndefined();
  });

  it('rejects unknown fields and malformed levels', () => {
    expect(() => compileTopicPattern('a/{ip}')).toThrow('unknown field {ip}');
    expect(() => compileTopicPattern('a/x{clientid}')).toThrow('mixes text');
    expect(() => compileTopicPattern('a/#/b')).toThrow("'#' must be the last level");
  });
});
