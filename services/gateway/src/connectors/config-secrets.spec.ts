import {
  connectorSecretFields,
  mergeSecrets,
  nextSecrets,
  secretPaths,
  sourceSecretFields,
  splitSecrets,
} from './config-secrets';

const connector = (kind: string) => connectorSecretFields(kind);

describe('connector and source secrets', () => {
  it('takes passwords, tokens, TLS keys and URL passwords out, and puts them back', () => {
    const config = {
      url: 'postgres://app:p%40ss@db:5432/x',
      password: 'pw',
      tls: { ca: 'CA', key: 'KEY' },
      poolSize: 3,
    };
    const { config: shown, secrets } = splitSecrets(connector('postgres'), config);
    expect(shown).toEqual({ url: 'postgres://app@db:5432/x', tls: { ca: 'CA' }, poolSize: 3 });
    expect(secrets).toEqual({ password: 'pw', 'tls.key': 'KEY', 'url.password': 'p%40ss' });
    expect(mergeSecrets(shown, secrets)).toEqual(config);
    expect(config.password).toBe('pw'); // the argument is not changed
  });

  it('treats all HTTP headers as secret and NATS pass and token too', () => {
    expect(
      splitSecrets(connector('http'), { url: 'http://h/x', headers: { authorization: 'Bearer t' } }),
    ).toEqual({
      config: { url: 'http://h/x' },
      secrets: { headers: { authorization: 'Bearer t' } },
    });
    expect(
      splitSecrets(connector('nats'), { servers: 'nats://h:4222', user: 'u', pass: 'p', token: 't' }).secrets,
    ).toEqual({
      pass: 'p',
      token: 't',
    });
  });

  it("takes the credentials out of NATS servers' URLs (user:password and a lone token) and puts them back", () => {
    const list = { servers: ['nats://app:p%40ss@n1:4222', 'tls://t0ken@n2:4222', 'nats://n3:4222'] };
    const { config, secrets } = splitSecrets(connectorSecretFields('nats'), list);
    expect(config).toEqual({ servers: ['nats://n1:4222', 'tls://n2:4222', 'nats://n3:4222'] });
    expect(secrets).toEqual({ 'servers.0.credentials': 'app:p%40ss', 'servers.1.credentials': 't0ken' });
    expect(mergeSecrets(config, secrets)).toEqual(list);
    const one = { servers: 'nats://u:pw@n1:4222' };
    expect(splitSecrets(connectorSecretFields('nats'), one)).toEqual({
      config: { servers: 'nats://n1:4222' },
      secrets: { 'servers.0.credentials': 'u:pw' },
    });
    expect(mergeSecrets({ servers: 'nats://n1:4222' }, { 'servers.0.credentials': 'u:pw' })).toEqual(one);
    // a NATS source's url: its token or user and password, whole
    expect(splitSecrets(connectorSecretFields('nats'), { url: 'nats://t0ken@n1:4222' })).toEqual({
      config: { url: 'nats://n1:4222' },
      secrets: { 'url.credentials': 't0ken' },
    });
    expect(mergeSecrets({ url: 'nats://n1:4222' }, { 'url.credentials': 'u:pw' })).toEqual({
      url: 'nats://u:pw@n1:4222',
    });
  });

  it('keeps stored secrets an update leaves out, replaces given ones, removes cleared ones', () => {
    expect(nextSecrets({ password: 'old', token: 't' }, { password: 'new' }, ['token'])).toEqual({
      password: 'new',
    });
  });

  it('takes secret query parameters out of a URL (?password=, ?token=) and puts them back', () => {
    const given = { url: 'postgres://u@db:5432/app?sslmode=require&password=pw1' };
    const { config, secrets } = splitSecrets(connector('postgres'), given);
    expect(config).toEqual({ url: 'postgres://u@db:5432/app?sslmode=require' });
    expect(secrets).toEqual({ 'url.query.password': 'pw1' });
    expect(mergeSecrets(config, secrets)).toEqual(given);
    const hook = splitSecrets(connector('http'), { url: 'https://h/in?token=t1&x=1' });
    expect(hook).toEqual({ config: { url: 'https://h/in?x=1' }, secrets: { 'url.query.token': 't1' } });
  });

  it("reads the secret fields from each kind's schema (writeOnly), sources too", () => {
    expect([...connector('kafka')].sort()).toEqual(['sasl.password', 'tls.key']);
    expect([...connector('http')].sort()).toEqual(['headers', 'tls.key']);
    expect([...connector('rabbitmq')]).toEqual(['tls.key']);
    expect(secretPaths('redis').sort()).toEqual(['password', 'tls.key', 'url.password']);
    expect(connector('no-such-kind')).toEqual([]);
    expect([...sourceSecretFields('nats')].sort()).toEqual(['pass', 'tls.key', 'token']);
    expect([...sourceSecretFields('mqtt')].sort()).toEqual(['password', 'tls.key']);
    // the Kafka source's TLS is `ssl` (true or options) and its `key` is the record key, no secret
    const kafka = splitSecrets(sourceSecretFields('kafka'), {
      brokers: ['k:9092'],
      key: 'clientid',
      ssl: { ca: 'CA', key: 'KEY' },
      sasl: { mechanism: 'plain', username: 'u', password: 'p' },
    });
    expect(kafka.secrets).toEqual({ 'ssl.key': 'KEY', 'sasl.password': 'p' });
    expect(kafka.config).toEqual({
      brokers: ['k:9092'],
      key: 'clientid',
      ssl: { ca: 'CA' },
      sasl: { mechanism: 'plain', username: 'u' },
    });
    expect(splitSecrets(sourceSecretFields('kafka'), { ssl: true }).config).toEqual({ ssl: true });
  });

  it('leaves configurations without secrets alone', () => {
    expect(splitSecrets(connector('redis'), { url: 'redis://h:6379' })).toEqual({
      config: { url: 'redis://h:6379' },
      secrets: {},
    });
    expect(splitSecrets(connector('http'), { url: 'not a url' }).config).toEqual({ url: 'not a url' });
  });
});
