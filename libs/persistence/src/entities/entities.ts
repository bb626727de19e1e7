import { Action } from './action.entity';
import { ApiKey } from './api-key.entity';
import { Connector } from './connector.entity';
import { Rule } from './rule.entity';
import { Source } from './source.entity';
import { Tenant } from './tenant.entity';
import { UsageCounter } from './usage-counter.entity';

export const entities = [Tenant, ApiKey, Source, Connector, Rule, Action, UsageCounter];
export { Action, ApiKey, Connector, Rule, Source, Tenant, UsageCounter };
export { sourceKinds } from './source.entity';
export type { SourceKind } from './source.entity';
