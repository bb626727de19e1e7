import { Column, Entity } from 'typeorm';
import { IdColumn, JsonColumn, TenantIdColumn, TimeColumn } from './columns';

/** What a rule does with its output: a connector plus its templates and options. */
@Entity({ name: 'actions' })
export class Action {
  @IdColumn() id!: string;
  @TenantIdColumn() tenantId!: string;
  @Column({ type: 'varchar', length: 36 }) ruleId!: string;
  @Column({ type: 'varchar', length: 36 }) connectorId!: string;
  @JsonColumn() config!: Record<string, unknown>;
  @Column({ type: 'boolean' }) enabled!: boolean;
  /** Order among the rule's actions, from 0. */
  @Column({ type: 'integer' }) position!: number;
  @Column({ type: 'integer' }) version!: number;
  @TimeColumn() createdAt!: Date;
  @TimeColumn() updatedAt!: Date;
}
