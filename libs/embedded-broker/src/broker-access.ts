import { timingSafeEqual } from 'node:crypto';
import type { Aedes, AuthenticateError, Client, PublishPacket } from 'aedes';

/** A tenant's confinement on the broker: its namespace and what its key may publish. */
export interface BrokerTenant {
  id: string;
  /**
   * The tenant's namespace (`<tenant id>/`): added in front of every topic it publishes and every
   * filter it subscribes to, taken off what it receives. Undefined: no namespace (a broker with a
   * single tenant, `SLUICE_TENANT_MOUNTPOINT=""`).
   */
  mountpoint?: string;
  /** Whether its key may publish to `topic` (the tenant's view, without the mountpoint). */
  mayPublish(topic: string): boolean;
  /** Clients of this tenant connected at once, at most (its plan's `maxBrokerClients`); none: no cap. */
  maxClients?: number;
}

/** Who a client logged in as. */
export interface BrokerPrincipal {
  /** For logs and refusals: `operator`, `anonymous`, `key <id>`; never a secret. */
  readonly name: string;
  /** The tenant the client is confined to; `null`: unconfined (the operator). */
  readonly tenant: BrokerTenant | null;
}

/** Checks the credentials of clients other than the operator's fixed login (API keys). */
export interface BrokerAuthenticator {
  /**
   * The principal of these credentials, or null to refuse them. Both undefined: a client without
   * credentials, which the authenticator may accept (no tenant exists yet) or refuse.
   */
  authenticate(username: string | undefined, password: string | undefined): Promise<BrokerPrincipal | null>;
  /** Whether a principal it returned still holds (its key is not revoked, anonymous still allowed). */
  stillValid(principal: BrokerPrincipal): Promise<boolean>;
}

/** A refused connect, publish or subscribe, for the log: no credentials in it. */
export interface BrokerRefusal {
  code: 'MQTT_NOT_AUTHORIZED' | 'MQTT_TOPIC_FORBIDDEN' | 'MQTT_LOGIN_REVOKED' | 'MQTT_QUOTA_EXCEEDED';
  clientId: string;
  principal: string;
  detail: string;
}

export interface BrokerAccessOptions {
  /** The operator's login (what ingest and the publish API use): unconfined, never re-checked. */
  operator: { username: string; password: string };
  /** How often live clients' logins are checked again (revoked keys are disconnected); default 1000. */
  recheckMs?: number;
  /** Told about every refusal (log it, sampled). */
  onRefused?: (refusal: BrokerRefusal) => void;
}

/** The part of the broker's access control the embedded process reaches after the start. */
export interface BrokerAccess {
  /** Accepts API keys (and anonymous clients, as it decides) from now on; before, only the operator. */
  useAuthenticator(authenticator: BrokerAuthenticator): void;
  /** Checks every live client's login again now (also done every `recheckMs`). */
  recheck(): Promise<void>;
  stop(): void;
}

const OPERATOR: BrokerPrincipal = { name: 'operator', tenant: null };
/** CONNACK return codes (MQTT 3.1.1, 3.2.2.3). */
const SERVER_UNAVAILABLE = 3;
const BAD_CREDENTIALS = 4;
const NOT_AUTHORIZED = 5;

/**
 * Requires a login on the broker and confines each tenant's clients to its namespace, in the
 * spirit of EMQX's authentication and mountpoints: the operator's login is unconfined; an API key
 * of a tenant publishes and subscribes under the tenant's mountpoint (added on the way in, taken
 * off on the way out), never to `$` topics or shared subscriptions, and publishes only where the
 * key's topics allow. Its client id is put under the tenant too, so it can never take over the
 * session of a client of the operator (ingest) or of another tenant. The broker's own
 * `authorizePublish` (the start and stop gate) still runs first.
 *
 * @example const access = installBrokerAccess(aedes, { operator: { username: 'admin', password: key } });
 */
export function installBrokerAccess(aedes: Aedes, options: BrokerAccessOptions): BrokerAccess {
  const principals = new WeakMap<Client, BrokerPrincipal>();
  const clients = new Set<Client>();
  /** Unsubscribe packets this code sent itself (the mounted filters), not to be mounted again. */
  const ownUnsubscribes = new WeakSet<object>();
  const connackSent = new WeakSet<Client>();
  let authenticator: BrokerAuthenticator | undefined;
  /** Live clients per tenant id (the quota of a tenant's plan counts them). */
  const perTenant = new Map<string, Set<Client>>();
  const refuse = (client: Client | null, code: BrokerRefusal['code'], detail: string) =>
    options.onRefused?.({
      code,
      clientId: client?.id ?? '',
      principal: (client && principals.get(client)?.name) ?? 'unknown',
      detail,
    });

  aedes.authenticate = (client, username, password, callback) => {
    const secret = password?.toString('utf8');
    const done = (principal: BrokerPrincipal | null, returnCode: number, reason: string) => {
      if (!principal) {
        refuse(client, 'MQTT_NOT_AUTHORIZED', reason);
        const error: AuthenticateError = Object.assign(new Error(reason), { returnCode });
        return callback(error, false);
      }
      const tenant = principal.tenant;
      // why: a tenant's client id must never equal the operator's (ingest) or another tenant's, or
      // connecting with it would take that session over (aedes keys sessions by client id)
      const id = tenant ? `${tenant.id}/${client.id}` : client.id;
      if (tenant && tenant.maxClients !== undefined) {
        const live = perTenant.get(tenant.id) ?? new Set<Client>();
        // a reconnect under the same client id replaces its old connection: not one more
        const others = [...live].filter((c) => c.id !== id && !(c as { closed?: boolean }).closed).length;
        if (others >= tenant.maxClients) {
          principals.set(client, principal);
          refuse(
            client,
            'MQTT_QUOTA_EXCEEDED',
            `tenant ${tenant.id} has ${others} broker clients connected, its plan allows ${tenant.maxClients}`,
          );
          const error: AuthenticateError = Object.assign(new Error('broker client quota exceeded'), {
            returnCode: NOT_AUTHORIZED,
          });
          return callback(error, false);
        }
      }
      principals.set(client, principal);
      clients.add(client);
      if (tenant) {
        (client as { id: string }).id = id;
        const live = perTenant.get(tenant.id) ?? new Set<Client>();
        live.add(client);
        perTenant.set(tenant.id, live);
      }
      callback(null, true);
    };
    if (username === options.operator.username && sameSecret(secret, options.operator.password)) {
      return done(OPERATOR, 0, '');
    }
    if (!authenticator) {
      return done(null, SERVER_UNAVAILABLE, 'the broker is starting: only the operator may connect yet');
    }
    authenticator.authenticate(username, secret).then(
      (principal) =>
        done(
          principal,
          username === undefined ? NOT_AUTHORIZED : BAD_CREDENTIALS,
          username === undefined ? 'credentials required' : 'unknown or revoked credentials',
        ),
      (error: unknown) => done(null, SERVER_UNAVAILABLE, `login not checked: ${String(error)}`),
    );
  };
  const forget = (client: Client) => {
    clients.delete(client);
    const tenant = principals.get(client)?.tenant;
    const live = tenant && perTenant.get(tenant.id);
    if (live?.delete(client) && live.size === 0) perTenant.delete(tenant!.id);
  };
  aedes.on('clientDisconnect', forget);
  // why also on errors: a client that fails after CONNACK (a socket reset) may end without clientDisconnect
  aedes.on('clientError', forget);
  aedes.on('connackSent', (_packet, client) => connackSent.add(client));

  const gate = aedes.authorizePublish;
  aedes.authorizePublish = (client, packet, callback) => {
    const tenant = client && principals.get(client)?.tenant;
    if (tenant) {
      const problem = publishProblem(tenant, packet);
      if (problem) {
        refuse(client, 'MQTT_TOPIC_FORBIDDEN', `publish to '${packet.topic}': ${problem}`);
        return callback(new Error(problem));
      }
      // why in place: aedes publishes this very packet once authorized (the message and a will)
      packet.topic = `${tenant.mountpoint ?? ''}${packet.topic}`;
    }
    gate.call(aedes, client, packet, callback);
  };

  const subscribeGate = aedes.authorizeSubscribe;
  aedes.authorizeSubscribe = (client, subscription, callback) => {
    const tenant = client && principals.get(client)?.tenant;
    if (!tenant) return subscribeGate.call(aedes, client, subscription, callback);
    const mountpoint = tenant.mountpoint ?? '';
    // why: a resumed persistent session's subscriptions come back as stored, already mounted,
    // before the CONNACK; the client's own SUBSCRIBE packets are handled only after it
    const restored = !connackSent.has(client);
    const filter = restored ? subscription.topic.slice(mountpoint.length) : subscription.topic;
    if ((restored && !subscription.topic.startsWith(mountpoint)) || filter.startsWith('$')) {
      refuse(client, 'MQTT_TOPIC_FORBIDDEN', `subscribe to '${filter}': $ topics are the broker's`);
      return callback(null, null); // SUBACK 0x80 for this filter
    }
    // why in place: aedes stores the packet's subscriptions for a persistent session and matches
    // messages for it against them, so they must be the mounted filters
    subscription.topic = `${mountpoint}${filter}`;
    subscribeGate.call(aedes, client, subscription, callback);
  };

  // why: UNSUBSCRIBE has no authorize hook; the client names the filter in its view and aedes
  // holds (and a persistent session stores) the mounted one, so it is removed here
  const persistence = (aedes as unknown as { persistence: SubscriptionStore }).persistence;
  aedes.on('unsubscribe', (unsubscriptions, client) => {
    const mountpoint = principals.get(client)?.tenant?.mountpoint;
    if (!mountpoint || ownUnsubscribes.has(unsubscriptions)) return;
    const mounted = unsubscriptions.map((topic) => `${mountpoint}${topic}`);
    ownUnsubscribes.add(mounted);
    const stored = client.clean ? Promise.resolve() : persistence.removeSubscriptions(client, mounted);
    void stored.then(
      () => client.unsubscribe({ unsubscriptions: mounted } as never, () => undefined),
      (error: unknown) => client.emit('error', error),
    );
  });

  const forwardGate = aedes.authorizeForward;
  aedes.authorizeForward = (client, packet) => {
    const tenant = principals.get(client)?.tenant;
    if (!tenant?.mountpoint) return forwardGate.call(aedes, client, packet);
    // why refused: only a mounted subscription reaches a tenant's client; anything else is not its own
    if (!packet.topic.startsWith(tenant.mountpoint)) return null;
    const forwarded = forwardGate.call(aedes, client, packet);
    if (!forwarded) return forwarded;
    // why a copy: the same packet object goes to every subscriber (aedes wraps what it gets anyway)
    return { ...forwarded, topic: forwarded.topic.slice(tenant.mountpoint.length) };
  };

  const recheck = async () => {
    if (!authenticator) return;
    // why by name: the clients of one key (or every anonymous one) share one verdict per round
    const verdicts = new Map<string, Promise<boolean>>();
    await Promise.all(
      [...clients].map(async (client) => {
        const principal = principals.get(client);
        if (!principal || principal === OPERATOR || client.closed) return;
        let verdict = verdicts.get(principal.name);
        if (!verdict) {
          // why true on a failed check: a database hiccup must not disconnect every device
          verdict = authenticator!.stillValid(principal).catch(() => true);
          verdicts.set(principal.name, verdict);
        }
        if (await verdict) return;
        refuse(client, 'MQTT_LOGIN_REVOKED', 'its login no longer holds (key revoked, or tenants now exist)');
        clients.delete(client);
        client.close();
      }),
    );
  };
  const recheckMs = options.recheckMs ?? 1_000;
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= recheck().finally(() => (running = undefined));
  }, recheckMs);
  timer.unref();

  return {
    useAuthenticator: (next) => {
      authenticator = next;
    },
    recheck,
    stop: () => clearInterval(timer),
  };
}

/** The part of aedes' persistence that a tenant's UNSUBSCRIBE needs. */
interface SubscriptionStore {
  removeSubscriptions(client: Client, topics: string[]): Promise<unknown>;
}

/** Why a tenant may not publish this packet (in its own view), or undefined. */
function publishProblem(tenant: BrokerTenant, packet: PublishPacket): string | undefined {
  if (packet.topic.startsWith('$')) return "$ topics are the broker's";
  if (!tenant.mayPublish(packet.topic)) return "outside the key's publish topics";
  return undefined;
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
