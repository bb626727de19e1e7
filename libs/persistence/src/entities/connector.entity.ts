import { Column, Entity } from 'typeorm';
import { JsonColumn, TenantOwned } from './columns';

/** A target system (Kafka, HTTP, PostgreSQL, ...); the kinds belong to @sluice/connectors. */
@Entity({ name: 'connectors' })
export class Connector extends TenantOwned {
  @Column({ type: 'varchar', length: 32 }) kind!: string;
  @JsonColumn() config!: Record<string, unknown>;
  /** Sealed with SecretBox (passwords, tokens, keys); null when there are none. */
  @Column({ type: 'text', nullable: true }) secretsSealed!: string | null;
  /**
   * Whether the operator key made the last change of its configuration: then its targets are not
   * checked against the tenants' target policy. Any change by a tenant's key clears it.
   */
  @Column({ type: 'boolean', default: false }) configuredByOperator!: boolean;
}
