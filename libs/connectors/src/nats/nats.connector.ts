import type { MsgHdrs, NatsConnection, TlsOptions } from 'nats';
import type { Action, ConnectorOptions, DeliveryOutcome, DeliveryRecord } from '../connector';
import { ConnectorConfigInvalidError, ConnectorUnavailableError, deliveryCodes } from '../errors';
import { BaseConnector, ClientSlot, withTimeout } from '../shared/base-connector';
import { OK, errorMessage, failed, rejected } from '../shared/outcomes';
import { compileField, nodeTlsOptions, parseConfig } from '../shared/parse-config';
import { compileTemplate, type Template } from '../template/template';
import { natsActionSchema, natsConnectorSchema, type NatsConnectorConfig } from './nats.config';
import { urlEndpoints, type Endpoint } from '../targets/target-policy';

type NatsDriver = typeof import('nats');
let driver: NatsDriver | undefined;
/** nats.js, loaded with the first connector of this kind (docs/architecture.md, "Memory"). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the driver loads with the first connector of its kind (docs/architecture.md, "Memory")
const nats = (): NatsDriver => (driver ??= require('nats') as NatsDriver);

const traceHeaders = ['traceparent', 'tracestate'];

/**
 * NATS core or JetStream through nats.js. Core publishes are confirmed by a flush (the server has
 * them; at-most-once to subscribers). JetStream publishes succeed on PubAck and carry the record id
 * as `Nats-Msg-Id`, so the stream removes duplicates. nats.js reconnects by itself; while it is
 * away, batches fail at once as retryable.
 */
export class NatsConnector extends BaseConnector {
  readonly kind = 'nats';
  readonly config: NatsConnectorConfig;
  private readonly connection: ClientSlot<NatsConnection>;
  private online = false;

  constructor(config: unknown, options: ConnectorOptions = {}) {
    super(options);
    this.config = parseConfig(natsConnectorSchema, config);
    this.connection = new ClientSlot(
      () => this.open(),
      (nc) => nc.close(),
    );
  }

  private async open(): Promise<NatsConnection> {
    await this.checkTargets();
    const c = this.config;
    const tls = nodeTlsOptions(c.tls);
    // why pinned for a tenant's connector: nats.js resolves names itself (and again on each
    // reconnect) and takes no lookup; it gets the addresses the policy checked, the name kept for
    // TLS, and no servers a cluster advertises (INFO connect_urls), which nothing would check
    const targets = this.options.targets;
    const pinned = targets && (await targets.pinUrls(this.serverUrls(), 4222));
    const nc = await nats().connect({
      servers: pinned ? pinned.urls : c.servers,
      ...(pinned && { ignoreClusterUpdates: true }),
      user: c.user,
      pass: c.pass,
      token: c.token,
      name: c.name,
      timeout: c.connectTimeoutMs,
      reconnectTimeWait: c.reconnectTimeWaitMs,
      maxReconnectAttempts: -1,
      // why: the default allocates an Error per publish for async stack traces (docs/benchmarks.md)
      noAsyncTraces: true,
      // why cast: nats.js spreads `tls` over its TLS options, servername included, but does not type it
      tls: tls
        ? ({ ca: tls.ca, cert: tls.cert, key: tls.key, servername: pinned?.servername } as TlsOptions)
        : undefined,
    });
    this.online = true;
    void this.watch(nc);
    return nc;
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === nats().Events.Disconnect || s.type === nats().Events.Error) {
        this.online = false;
        this.markDisconnected(`${s.type}: ${typeof s.data === 'string' ? s.data : errorMessage(s.data)}`);
      } else if (s.type === nats().Events.Reconnect) {
        this.online = true;
        this.markConnected();
      }
    }
    this.online = false;
    this.connection.drop();
  }

  endpoints(): Endpoint[] {
    return this.serverUrls().flatMap((s) => urlEndpoints(s, 4222));
  }

  private serverUrls(): string[] {
    return Array.isArray(this.config.servers) ? this.config.servers : [this.config.servers];
  }

  protected async connect(): Promise<void> {
    await this.connection.get();
  }

  protected async probe(): Promise<void> {
    const nc = await this.connection.get();
    await withTimeout(nc.flush(), this.config.connectTimeoutMs, 'NATS ping');
  }

  protected async disconnect(): Promise<void> {
    await this.connection.close();
  }

  createAction(input: unknown): Action {
    const config = parseConfig(natsActionSchema, input);
    const subject = compileField('subject', () => compileTemplate(config.subject));
    const reserved = this.options.reservedSubject ?? (() => undefined);
    // why at once for a fixed subject: a subject without placeholders can be refused when saved
    if (!config.subject.includes('${')) {
      const reason = reserved(config.subject);
      if (reason)
        throw new ConnectorConfigInvalidError('subject', `'${config.subject}' is reserved: ${reason}`);
    }
    const subjectOf = (record: DeliveryRecord): string | DeliveryOutcome => {
      const rendered = subject.render(record);
      const reason = reserved(rendered);
      return reason
        ? failed(deliveryCodes.targetDenied, `subject '${rendered}' is reserved: ${reason}`, false)
        : rendered;
    };
    const payload = compileField('payload', () => compileTemplate(config.payload));
    const headerTemplates: [string, Template][] = Object.entries(config.headers).map(([name, value]) => [
      name,
      compileField(`headers.${name}`, () => compileTemplate(value)),
    ]);
    const encoder = new TextEncoder();

    const headersOf = (record: DeliveryRecord): MsgHdrs | undefined => {
      let h: MsgHdrs | undefined;
      for (const name of traceHeaders) {
        const value = record.headers?.[name];
        if (value !== undefined) (h ??= nats().headers()).set(name, value);
      }
      for (const [name, template] of headerTemplates)
        (h ??= nats().headers()).set(name, template.render(record));
      return h;
    };

    const send = async (records: readonly DeliveryRecord[]): Promise<DeliveryOutcome[]> => {
      let nc: NatsConnection;
      try {
        nc = await this.connection.get();
      } catch (error) {
        throw new ConnectorUnavailableError(errorMessage(error), { cause: error });
      }
      if (!this.online) throw new ConnectorUnavailableError(this.status().reason ?? 'NATS is reconnecting');
      let outcomes: DeliveryOutcome[];
      if (config.jetstream) {
        const js = nc.jetstream({ timeout: config.publishTimeoutMs });
        outcomes = await Promise.all(
          records.map((record) => {
            const to = subjectOf(record);
            if (typeof to !== 'string') return Promise.resolve(to);
            return js
              .publish(to, encoder.encode(payload.render(record)), {
                msgID: record.id,
                headers: headersOf(record),
              })
              .then(
                () => OK,
                (error: unknown) => this.jetstreamOutcome(error),
              );
          }),
        );
      } else {
        outcomes = records.map((record) => {
          const to = subjectOf(record);
          if (typeof to !== 'string') return to;
          nc.publish(to, encoder.encode(payload.render(record)), { headers: headersOf(record) });
          return OK;
        });
        await withTimeout(nc.flush(), config.publishTimeoutMs, 'NATS flush');
      }
      if (outcomes.some((o) => o.ok)) this.markConnected();
      return outcomes;
    };
    return {
      maxBatchSize: config.maxBatchSize,
      send: (records) => this.deliver(records, () => send(records)),
    };
  }

  /** "no responders" means no stream takes the subject: a configuration problem, not a passing one. */
  private jetstreamOutcome(error: unknown): DeliveryOutcome {
    const code = (error as { code?: unknown }).code;
    const message = errorMessage(error);
    if (code === '503') return rejected(`no JetStream stream takes this subject (${message})`, false);
    if (/timeout/i.test(message) || code === 'TIMEOUT')
      return this.outcomeOf(Object.assign(new Error(message), { name: 'TimeoutError' }));
    if (typeof code === 'string' && /^4\d\d$/.test(code)) return rejected(message, false);
    return this.outcomeOf(error);
  }
}
