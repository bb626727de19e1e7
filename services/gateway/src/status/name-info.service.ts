import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { describeError } from '@sluice/errors';
import { Connector, PERSISTENCE_DATA_SOURCE, Rule, Source, Tenant } from '@sluice/persistence';
import { SluiceMetrics } from '@sluice/telemetry';
import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';

interface Names {
  tenants: Pick<Tenant, 'id' | 'name' | 'plan'>[];
  rules: Pick<Rule, 'id' | 'tenantId' | 'name'>[];
  connectors: Pick<Connector, 'id' | 'tenantId' | 'name' | 'kind'>[];
  sources: Pick<Source, 'id' | 'tenantId' | 'name' | 'kind'>[];
}

/** How long one reading of the names serves scrapes: names change rarely, scrapes come often. */
const CACHE_MS = 10_000;

/**
 * `sluice_tenant_info`, `sluice_rule_info`, `sluice_connector_info` and `sluice_source_info`: value
 * 1, labels the ids every other series carries plus the `name` an operator gave, so a dashboard's
 * legends and an alert's text can show names (`* on (tenant, rule) group_left (name)`). Read from
 * the database when Prometheus scrapes the gateway, at most every 10 s.
 */
@Injectable()
export class NameInfoService implements OnModuleInit {
  private readonly logger = new Logger('Metrics');
  private reading?: { at: number; names: Promise<Names | undefined> };

  constructor(
    @Inject(PERSISTENCE_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly metrics: SluiceMetrics,
  ) {}

  onModuleInit(): void {
    const registers = [this.metrics.registry];
    const info = <L extends string>(
      name: string,
      help: string,
      labelNames: L[],
      rows: (names: Names) => Record<L, string>[],
    ) => {
      const gauge: Gauge<L> = new Gauge<L>({
        name,
        help,
        labelNames,
        registers,
        collect: async () => {
          const names = await this.names();
          gauge.reset();
          for (const labels of names ? rows(names) : []) gauge.set(labels as never, 1);
        },
      });
    };
    info(
      'sluice_tenant_info',
      'A tenant id with its name and plan (always 1)',
      ['tenant', 'name', 'plan'],
      (n) => n.tenants.map((t) => ({ tenant: t.id, name: t.name, plan: t.plan })),
    );
    info('sluice_rule_info', 'A rule id with its name (always 1)', ['tenant', 'rule', 'name'], (n) =>
      n.rules.map((r) => ({ tenant: r.tenantId, rule: r.id, name: r.name })),
    );
    info(
      'sluice_connector_info',
      'A connector id with its name and kind (always 1)',
      ['tenant', 'connector', 'name', 'kind'],
      (n) => n.connectors.map((c) => ({ tenant: c.tenantId, connector: c.id, name: c.name, kind: c.kind })),
    );
    info(
      'sluice_source_info',
      'A source id with its name and kind (always 1)',
      ['tenant', 'source', 'name', 'kind'],
      (n) => n.sources.map((s) => ({ tenant: s.tenantId, source: s.id, name: s.name, kind: s.kind })),
    );
  }

  private names(): Promise<Names | undefined> {
    const now = Date.now();
    if (this.reading && now - this.reading.at < CACHE_MS) return this.reading.names;
    const names = this.read().catch((error: unknown) => {
      // why a warning and no series: a scrape must not fail because the database is slow
      this.logger.warn(`names for the *_info metrics not read: ${describeError(error).message}`);
      return undefined;
    });
    this.reading = { at: now, names };
    return names;
  }

  private async read(): Promise<Names> {
    const [tenants, rules, connectors, sources] = await Promise.all([
      this.dataSource.getRepository(Tenant).find({ select: { id: true, name: true, plan: true } }),
      this.dataSource.getRepository(Rule).find({ select: { id: true, tenantId: true, name: true } }),
      this.dataSource
        .getRepository(Connector)
        .find({ select: { id: true, tenantId: true, name: true, kind: true } }),
      this.dataSource
        .getRepository(Source)
        .find({ select: { id: true, tenantId: true, name: true, kind: true } }),
    ]);
    return { tenants, rules, connectors, sources };
  }
}
