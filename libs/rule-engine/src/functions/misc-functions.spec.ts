import { RuleRuntimeError } from '../errors';
import { builtinFunctions } from './registry';

const call = (name: string, ...args: unknown[]): unknown => builtinFunctions.get(name)!.call(args);

describe('uuid', () => {
  it('uuid_v4 gives distinct version 4 UUIDs, with or without hyphens', () => {
    const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const a = call('uuid_v4') as string;
    expect(a).toMatch(v4);
    expect(call('uuid_v4')).not.toBe(a);
    expect(call('uuid_v4_no_hyphen')).toMatch(/^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
  });
});

describe('getenv', () => {
  it('reads EMQXVAR_-prefixed variables once, and gives an empty string when unset', () => {
    process.env.EMQXVAR_SLUICE_SPEC_GETENV = 'first';
    expect(call('getenv', 'SLUICE_SPEC_GETENV')).toBe('first');
    process.env.EMQXVAR_SLUICE_SPEC_GETENV = 'second';
    expect(call('getenv', 'SLUICE_SPEC_GETENV')).toBe('first');
    delete process.env.EMQXVAR_SLUICE_SPEC_GETENV;
    expect(call('getenv', 'SLUICE_SPEC_NOT_SET')).toBe('');
    expect(call('getenv', 'PATH')).toBe(process.env.EMQXVAR_PATH ?? '');
    expect(() => call('getenv', 1)).toThrow(RuleRuntimeError);
  });
});

describe('contains_topic, contains_topic_match', () => {
  const subscriptions = [
    { topic: 't/1', qos: 1 },
    { topic: 'sensors/room1/temp', qos: 0 },
    { topic: '$SYS/brokers', qos: 0 },
  ];

  it('contains_topic compares exactly, optionally with the QoS', () => {
    expect(call('contains_topic', subscriptions, 't/1')).toBe(true);
    expect(call('contains_topic', subscriptions, 't/2')).toBe(false);
    expect(call('contains_topic', subscriptions, 't/1', 1)).toBe(true);
    expect(call('contains_topic', subscriptions, 't/1', 2)).toBe(false);
  });

  it('contains_topic_match matches the listed topics against the argument as a filter', () => {
    expect(call('contains_topic_match', subscriptions, 't/#')).toBe(true);
    expect(call('contains_topic_match', subscriptions, 'sensors/+/temp')).toBe(true);
    expect(call('contains_topic_match', subscriptions, 'sensors/+')).toBe(false);
    expect(call('contains_topic_match', subscriptions, 'sensors/room1/temp/#')).toBe(true);
    expect(call('contains_topic_match', [{ topic: '$SYS/brokers' }], '#')).toBe(false);
    expect(call('contains_topic_match', [{ topic: '$SYS/brokers' }], '$SYS/#')).toBe(true);
    expect(call('contains_topic_match', subscriptions, 'sensors/#', 0)).toBe(true);
    expect(call('contains_topic_match', subscriptions, 'sensors/#', 1)).toBe(false);
  });

  it('fail when the list is not an array', () => {
    expect(() => call('contains_topic', 't/1', 't/1')).toThrow(RuleRuntimeError);
    expect(() => call('contains_topic_match', subscriptions, undefined)).toThrow(RuleRuntimeError);
  });
});
