import { tenantTargetPolicy } from './targets.config';
import { ConnectorTargetDeniedError } from '../errors';
import { TargetPolicy } from './target-policy';

describe('TargetPolicy', () => {
  const tenants = TargetPolicy.parse({ reserved: [{ host: '127.0.0.1', port: 4222 }] });

  it.each([
    ['169.254.169.254', 80],
    ['fd00:ec2::254', 80],
    ['100.100.100.200', 80],
    ['::ffff:169.254.169.254', 80],
  ])('never allows the metadata address %s, whatever the operator allows', async (host, port) => {
    const open = TargetPolicy.parse({ allow: ['0.0.0.0/0', '::/0', 'loopback', 'private'] });
    await expect(open.check({ host, port })).rejects.toBeInstanceOf(ConnectorTargetDeniedError);
  });

  it.each([
    '127.0.0.1',
    '127.9.9.9',
    '::1',
    '0.0.0.0',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '::ffff:10.0.0.1',
  ])('denies the loopback or private address %s by default', async (host) => {
    await expect(tenants.check({ host, port: 5432 })).rejects.toThrow(/not allowed for tenants/);
  });

  it('resolves names before it decides: localhost is loopback', async () => {
    await expect(tenants.check({ host: 'localhost', port: 5432 })).rejects.toThrow(/not allowed/);
  });

  it('allows public addresses and what the operator allows, but never the service bus', async () => {
    await expect(tenants.check({ host: '203.0.113.7', port: 443 })).resolves.toBeUndefined();
    const loopback = TargetPolicy.parse({
      allow: ['loopback'],
      reserved: [{ host: 'localhost', port: 4222 }],
    });
    await expect(loopback.check({ host: '127.0.0.1', port: 5432 })).resolves.toBeUndefined();
    await expect(loopback.check({ host: '127.0.0.1', port: 4222 })).rejects.toThrow(/service bus/);
    await expect(loopback.check({ host: '::1', port: 4222 })).rejects.toThrow(/service bus/);
  });

  it("reserves the operator's MQTT broker too, under any loopback alias, saying what it is", async () => {
    const policy = tenantTargetPolicy(
      { SLUICE_CONNECTOR_TARGETS_ALLOW: ['loopback'], SLUICE_CONNECTOR_TARGETS_DENY: [] },
      undefined,
      'mqtt://localhost',
    );
    await expect(policy.check({ host: '127.0.0.1', port: 1884 })).resolves.toBeUndefined();
    for (const host of ['127.0.0.1', '::1', '0.0.0.0'])
      await expect(policy.check({ host, port: 1883 })).rejects.toThrow(/operator's broker/);
  });

  it("the operator's deny list wins over an allowed range", async () => {
    const policy = TargetPolicy.parse({ allow: ['private'], deny: ['10.9.0.0/16'] });
    await expect(policy.check({ host: '10.1.0.1', port: 80 })).resolves.toBeUndefined();
    await expect(policy.check({ host: '10.9.0.1', port: 80 })).rejects.toThrow(/operator denies/);
  });

  it('refuses a setting that is not a range, naming it', () => {
    expect(() => TargetPolicy.parse({ allow: ['10.0.0.0/33'] })).toThrow(/'10.0.0.0\/33' is not a CIDR/);
    expect(() => TargetPolicy.parse({ deny: ['intranet'] })).toThrow(/'intranet'/);
  });

  it('the socket lookup refuses a name that resolves to a denied address (the address it connects to)', async () => {
    const lookup = tenants.lookupFor(80);
    const error = await new Promise<unknown>((resolve) => lookup('localhost', {}, (e) => resolve(e)));
    expect(error).toBeInstanceOf(ConnectorTargetDeniedError);
  });

  describe('with a resolver of its own (a rebinding DNS server in tests)', () => {
    const answers: Record<string, { address: string; family: number }[]> = {
      'public.test': [{ address: '203.0.113.7', family: 4 }],
      'inside.test': [{ address: '127.0.0.1', family: 4 }],
      'mixed.test': [
        { address: '203.0.113.7', family: 4 },
        { address: '10.0.0.1', family: 4 },
      ],
      'v6.test': [{ address: '2001:db8::1', family: 6 }],
    };
    const policy = TargetPolicy.parse({ resolve: async (host) => answers[host] ?? [] });

    it('checks and pins what that resolver answers, refusing a name with any denied address', async () => {
      await expect(policy.pin({ host: 'public.test', port: 80 })).resolves.toEqual(answers['public.test']);
      await expect(policy.check({ host: 'inside.test', port: 80 })).rejects.toThrow(
        /inside.test:80 is not allowed/,
      );
      await expect(policy.check({ host: 'mixed.test', port: 80 })).rejects.toBeInstanceOf(
        ConnectorTargetDeniedError,
      );
    });

    it('the socket lookup answers the checked addresses, of the family asked for', async () => {
      const lookup = policy.lookupFor(443);
      const one = await new Promise<unknown[]>((resolve) =>
        lookup('public.test', {}, (...args: unknown[]) => resolve(args)),
      );
      expect(one).toEqual([null, '203.0.113.7', 4]);
      const none = await new Promise<unknown>((resolve) =>
        lookup('public.test', { family: 6 }, (e) => resolve(e)),
      );
      expect(none).toMatchObject({ code: 'ENOTFOUND' });
      const denied = await new Promise<unknown>((resolve) =>
        lookup('inside.test', { all: true }, (e) => resolve(e)),
      );
      expect(denied).toBeInstanceOf(ConnectorTargetDeniedError);
    });

    it('pins URLs to their checked address, keeping credentials, port and the name for TLS', async () => {
      await expect(policy.pinUrls(['nats://u:p@public.test:4223'], 4222)).resolves.toEqual({
        urls: ['nats://u:p@203.0.113.7:4223'],
        servername: 'public.test',
      });
      await expect(policy.pinUrls(['tls://v6.test'], 4222)).resolves.toEqual({
        urls: ['tls://[2001:db8::1]'],
        servername: 'v6.test',
      });
      // two names: no single servername (TLS then verifies the address: it fails closed)
      const two = await policy.pinUrls(['nats://public.test', 'nats://v6.test'], 4222);
      expect(two.servername).toBeUndefined();
      await expect(policy.pinUrls(['nats://inside.test:4222'], 4222)).rejects.toBeInstanceOf(
        ConnectorTargetDeniedError,
      );
    });

    it('a socket a driver connects itself refuses a Unix socket path and a denied IP', async () => {
      const closed = (socket: import('node:net').Socket) =>
        new Promise<unknown>((resolve) => socket.once('error', resolve));
      const unix = policy.unconnectedSocket();
      unix.connect('/var/run/postgresql/.s.PGSQL.5432' as never);
      await expect(closed(unix)).resolves.toMatchObject({
        message: expect.stringMatching(/Unix sockets are not allowed/),
      });
      const loopback = policy.unconnectedSocket();
      loopback.connect(5432, '127.0.0.1');
      await expect(closed(loopback)).resolves.toBeInstanceOf(ConnectorTargetDeniedError);
    });
  });
});
