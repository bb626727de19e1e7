import { Column, Entity } from 'typeorm';
import { JsonColumn, TenantOwned } from './columns';

export const sourceKinds = ['mqtt', 'kafka', 'nats'] as const;
export type SourceKind = (typeof sourceKinds)[number];

/** Where messages come from: a broker subscription, a Kafka topic, a NATS subject. */
@Entity({ name: 'sources' })
export class Source extends TenantOwned {
  @Column({ type: 'varchar', length: 16 }) kind!: SourceKind;
  @JsonColumn() config!: Record<string, unknown>;
  /** Sealed with SecretBox (passwords, tokens); null when there are none. */
  @Column({ type: 'text', nullable: true }) secretsSealed!: string | null;
  /** Set by the operator (its broker unrestricted), or by a tenant (checked against the target policy). */
  @Column({ type: 'boolean', default: false }) configuredByOperator!: boolean;
}
