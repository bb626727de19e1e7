import { Column, Entity } from 'typeorm';
import { IdColumn, JsonColumn, NameColumn, TimeColumn } from './columns';

/** An API key, stored as a SHA-256 hash; `tenantId` null means the operator's scope. */
@Entity({ name: 'api_keys' })
export class ApiKey {
  @IdColumn() id!: string;
  @Column({ type: 'varchar', length: 36, nullable: true }) tenantId!: string | null;
  @NameColumn() name!: string;
  @Column({ type: 'varchar', length: 32 }) prefix!: string;
  @Column({ type: 'varchar', length: 64 }) hash!: string;
  /** MQTT topic filters this key may publish to through the REST API; empty means none. */
  @JsonColumn() publishTopics!: string[];
  /** Publish requests per second; null means the plan's default. */
  @Column({ type: 'integer', nullable: true }) rateLimit!: number | null;
  @TimeColumn() createdAt!: Date;
  @TimeColumn(true) lastUsedAt!: Date | null;
  @TimeColumn(true) revokedAt!: Date | null;
}
