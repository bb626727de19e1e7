import { promises as dns, type LookupAddress } from 'node:dns';
import {
  BlockList,
  connect as netConnect,
  isIP,
  Socket,
  type LookupFunction,
  type NetConnectOpts,
} from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { ConnectorTargetDeniedError } from '../errors';

type AllCallback = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

/**
 * How a policy turns a name into addresses (all of them, as `dns.lookup` with `all: true` does).
 * The default is the system resolver; tests give one that answers differently over time, as a
 * rebinding DNS server does.
 */
export type TargetResolver = (host: string) => Promise<LookupAddress[]>;

const systemResolver: TargetResolver = (host) => dns.lookup(host, { all: true, verbatim: true });

/** A host and port a connector connects to. */
export interface Endpoint {
  host: string;
  port: number;
}

/** Named ranges an operator can allow for tenants' connectors (besides CIDRs). */
const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128', '0.0.0.0/8', '::/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'],
};
// why always: link-local holds the cloud metadata services (169.254.169.254, fd00:ec2::254); the
// rest are metadata addresses outside link-local, multicast and broadcast. No setting opens them.
const ALWAYS_DENIED = [
  '169.254.0.0/16',
  'fe80::/10',
  'fd00:ec2::254/128',
  '100.100.100.200/32',
  '224.0.0.0/4',
  '255.255.255.255/32',
  'ff00::/8',
];

export interface TargetPolicyOptions {
  /** Ranges tenants may reach besides public addresses: `loopback`, `private` or CIDRs. */
  allow?: readonly string[];
  /** More CIDRs tenants may never reach. */
  deny?: readonly string[];
  /**
   * Endpoints no tenant connector may reach whatever is allowed (the service bus's servers, the
   * operator's broker), with what each is for the refusal (default "Sluice's own service bus").
   */
  reserved?: readonly (Endpoint & { what?: string })[];
  /** How names are resolved, for checks and for the connections themselves (default: the system's). */
  resolve?: TargetResolver;
}

/**
 * Which addresses a tenant's connectors may connect to: public addresses, plus what the operator
 * allows; never link-local or metadata addresses, nor the reserved endpoints. Checked on the
 * addresses a host resolves to, each time a connector connects (so a name that later resolves
 * elsewhere is caught). The operator's own connectors get no policy at all.
 *
 * @example
 * const policy = TargetPolicy.parse({ allow: ['loopback'], reserved: [{ host: '127.0.0.1', port: 4222 }] });
 * await policy.check({ host: 'localhost', port: 5432 }); // ok
 * await policy.check({ host: '169.254.169.254', port: 80 }); // throws ConnectorTargetDeniedError
 */
export class TargetPolicy {
  private readonly internal = new BlockList();
  private readonly denied = new BlockList();
  private readonly always = new BlockList();
  private readonly allowed = new BlockList();
  private reservedAddresses?: Promise<Map<string, string>>;
  /** The reserved endpoints once resolved (`ip:port` to what it is; checks start by resolving them). */
  private reservedResolved = new Map<string, string>();
  private readonly resolver: TargetResolver;

  private constructor(private readonly options: TargetPolicyOptions) {
    this.resolver = options.resolve ?? systemResolver;
    for (const cidr of ALWAYS_DENIED) addCidr(this.always, cidr);
    for (const cidr of [...NAMED_RANGES.loopback!, ...NAMED_RANGES.private!]) addCidr(this.internal, cidr);
    for (const cidr of options.deny ?? []) addCidr(this.denied, cidr);
    for (const entry of options.allow ?? []) {
      for (const cidr of NAMED_RANGES[entry] ?? [entry]) addCidr(this.allowed, cidr);
    }
  }

  /** Builds a policy; a bad CIDR throws naming it (so a typo in the setting stops the start). */
  static parse(options: TargetPolicyOptions = {}): TargetPolicy {
    return new TargetPolicy(options);
  }

  /** Why `address` (an IP) may not be reached on `port`, or undefined when it may. */
  reasonFor(
    address: string,
    port: number,
    reserved: ReadonlyMap<string, string> = new Map(),
  ): string | undefined {
    const ip = unmapped(address);
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    if (this.always.check(ip, family))
      return 'link-local, metadata and multicast addresses are never allowed';
    const what = reserved.get(`${ip}:${port}`);
    if (what) return `it is ${what}`;
    if (this.denied.check(ip, family)) return 'the operator denies this network to tenants';
    if (this.internal.check(ip, family) && !this.allowed.check(ip, family)) {
      return 'loopback and private addresses are not allowed for tenants (the operator can allow them)';
    }
    return undefined;
  }

  /**
   * Resolves `endpoint` and throws ConnectorTargetDeniedError if any of its addresses is denied.
   * The message does not say whether anything listens there.
   */
  async check(endpoint: Endpoint): Promise<void> {
    await this.pin(endpoint);
  }

  /**
   * Resolves `endpoint` once, refuses it (ConnectorTargetDeniedError) if any of its addresses is
   * denied, and answers the checked addresses: a driver that connects to one of them (keeping the
   * name for TLS) connects where the check looked, whatever the name resolves to a moment later.
   */
  async pin(endpoint: Endpoint): Promise<LookupAddress[]> {
    const addresses = await this.resolveAll(endpoint.host);
    const reserved = await this.reserved();
    for (const { address } of addresses) {
      const reason = this.reasonFor(address, endpoint.port, reserved);
      if (reason) throw new ConnectorTargetDeniedError(`${endpoint.host}:${endpoint.port}`, reason);
    }
    return addresses;
  }

  /**
   * `urls` with each host replaced by its first checked address (see {@link pin}), for drivers
   * that resolve names themselves and take no `lookup` (nats.js): they connect where the check
   * looked. `servername` is the name for TLS when all the URLs name one host (with several, TLS
   * verifies the address and fails unless the certificate names it: closed, not open).
   */
  async pinUrls(
    urls: readonly string[],
    defaultPort: number,
  ): Promise<{ urls: string[]; servername?: string }> {
    const names = new Set<string>();
    const pinned = await Promise.all(
      urls.map(async (text) => {
        const url = new URL(text);
        const host = url.hostname.replace(/^\[|\]$/g, '');
        const [first] = await this.pin({ host, port: Number(url.port) || defaultPort });
        if (!first) throw new Error(`${host} does not resolve`);
        if (!isIP(host)) names.add(host);
        url.hostname = first.family === 6 ? `[${first.address}]` : first.address;
        return url.toString();
      }),
    );
    const [servername] = names;
    return { urls: pinned, ...(names.size === 1 && servername && { servername }) };
  }

  /**
   * A `dns.lookup` replacement for Node sockets (net/tls `lookup` option) that refuses denied
   * addresses: it resolves once per connection and the socket connects to the very addresses it
   * checked (DNS rebinding between a check and the connect cannot slip through).
   */
  lookupFor(port: number): LookupFunction {
    return (hostname, options, callback) => {
      const opts = options as { all?: boolean; family?: number };
      this.pin({ host: hostname, port }).then(
        (all) => {
          const addresses = opts.family ? all.filter((a) => a.family === opts.family) : all;
          if (addresses.length === 0) {
            const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
            error.code = 'ENOTFOUND';
            return callback(error, '');
          }
          if (opts.all) return (callback as AllCallback)(null, addresses);
          const first = addresses[0]!;
          callback(null, first.address, first.family);
        },
        (error: NodeJS.ErrnoException) => callback(error, ''),
      );
    };
  }

  /**
   * A socket not connected yet whose `connect(port, host)` reaches only checked addresses, for
   * drivers that take a socket and connect it themselves (pg's `stream`). A Unix socket path (pg
   * connects to one when the host starts with `/`) is refused: it would reach local servers.
   */
  unconnectedSocket(): Socket {
    const socket = new Socket();
    const connect = socket.connect.bind(socket) as (options: NetConnectOpts) => Socket;
    socket.connect = (port: unknown, host: unknown) => {
      const target = { host: typeof host === 'string' ? host : 'localhost', port: Number(port) };
      const tcp = typeof port === 'number' || /^\d+$/.test(String(port));
      const reason = tcp ? this.ipRefusal(target) : 'Unix sockets are not allowed for tenants';
      if (reason) return refuse(socket, tcp ? `${target.host}:${target.port}` : String(port), reason);
      return connect({ port: target.port, host: target.host, lookup: this.lookupFor(target.port) });
    };
    return socket;
  }

  /**
   * Opens a TCP (or TLS) socket the way a driver's socket factory does, refusing a denied address:
   * an IP at once, a name through {@link lookupFor}. For drivers that learn addresses from the
   * target itself (Kafka's advertised brokers).
   */
  socketTo(
    target: Endpoint,
    tls: ConnectionOptions | undefined,
    onConnect: () => void = () => undefined,
  ): Socket {
    const ip = target.host.replace(/^\[|\]$/g, '');
    const reason = this.ipRefusal(target);
    if (reason) return refuse(new Socket(), `${target.host}:${target.port}`, reason);
    const options = { host: ip, port: target.port, lookup: this.lookupFor(target.port) };
    return tls
      ? tlsConnect({ ...options, ...(!isIP(ip) && { servername: ip }), ...tls }, onConnect)
      : netConnect(options, onConnect);
  }

  /** Why an IP target is refused (a name is checked by {@link lookupFor} when it resolves). */
  private ipRefusal(target: Endpoint): string | undefined {
    const ip = target.host.replace(/^\[|\]$/g, '');
    return isIP(ip) ? this.reasonFor(ip, target.port, this.reservedResolved) : undefined;
  }

  private resolveAll(host: string): Promise<LookupAddress[]> {
    return resolveWith(this.resolver, host);
  }

  private reserved(): Promise<Map<string, string>> {
    this.reservedAddresses ??= Promise.all(
      (this.options.reserved ?? []).map(async (e) => {
        // why the system's resolver: these are the operator's own names, not a tenant's
        const addresses = await resolveWith(systemResolver, e.host).catch(() => [] as LookupAddress[]);
        const what = e.what ?? "Sluice's own service bus";
        return addresses.map((a): [string, string] => [`${unmapped(a.address)}:${e.port}`, what]);
      }),
    ).then((lists) => {
      const all = new Map(lists.flat());
      // why: 127.0.0.1 and ::1 (and 0.0.0.0) reach the same local server
      for (const [entry, what] of [...all]) {
        const [ip, port] = splitHostPort(entry);
        if (isLocal(ip))
          for (const local of ['127.0.0.1', '::1', '0.0.0.0', '::']) all.set(`${local}:${port}`, what);
      }
      this.reservedResolved = all;
      return all;
    });
    return this.reservedAddresses;
  }
}

async function resolveWith(resolver: TargetResolver, host: string): Promise<LookupAddress[]> {
  const bare = host.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family) return [{ address: bare, family }];
  return resolver(bare);
}

/** Ends `socket` with ConnectorTargetDeniedError on the next tick, as a failed connect would. */
function refuse(socket: Socket, target: string, reason: string): Socket {
  process.nextTick(() => socket.destroy(new ConnectorTargetDeniedError(target, reason)));
  return socket;
}

function addCidr(list: BlockList, cidr: string): void {
  const [address, bits] = cidr.split('/');
  const family = isIP(address ?? '');
  const prefix = Number(bits ?? (family === 6 ? 128 : 32));
  const max = family === 6 ? 128 : 32;
  if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
    throw new RangeError(`'${cidr}' is not a CIDR range (e.g. 10.0.0.0/8) nor one of: loopback, private`);
  }
  list.addSubnet(address!, prefix, family === 6 ? 'ipv6' : 'ipv4');
}

/** `::ffff:10.0.0.1` is 10.0.0.1 to the kernel: check it as IPv4. */
function unmapped(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match ? match[1]! : address;
}

function isLocal(ip: string): boolean {
  return ip === '::1' || ip === '::' || ip.startsWith('127.') || ip.startsWith('0.');
}

function splitHostPort(entry: string): [string, string] {
  const at = entry.lastIndexOf(':');
  return [entry.slice(0, at), entry.slice(at + 1)];
}

/** Host and port of a URL (none when it does not parse: the driver's validation says why). */
export function urlEndpoints(text: string, defaultPort: number): Endpoint[] {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return [];
  }
  return [{ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) || defaultPort }];
}

/** An MQTT broker's URL, with the scheme's port when it gives none (1883, 8883, 80, 443). */
export function mqttEndpoints(text: string): Endpoint[] {
  const port = /^(mqtts|ssl):/.test(text) ? 8883 : /^wss:/.test(text) ? 443 : /^ws:/.test(text) ? 80 : 1883;
  return urlEndpoints(text, port);
}

/** `host:port` (Kafka brokers). */
export function hostPortEndpoint(text: string): Endpoint {
  const at = text.lastIndexOf(':');
  return { host: text.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(text.slice(at + 1)) };
}
