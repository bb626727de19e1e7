import { Column, Entity } from 'typeorm';
import { TenantOwned } from './columns';

/** An EMQX-style SQL rule. */
@Entity({ name: 'rules' })
export class Rule extends TenantOwned {
  @Column({ type: 'text' }) sql!: string;
  @Column({ type: 'text' }) description!: string;
}
