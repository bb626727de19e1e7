import { Inject, Injectable } from '@nestjs/common';
import { SecretBox, type PageRequest, type Repositories, type Rule } from '@sluice/persistence';
import { ruleWarnings, type RuleWarning, type SourceDefinition } from '@sluice/pipeline';
import { compileRule, stringifyJson, testRule, type CompiledRule } from '@sluice/rule-engine';
import { QuotaExceededError } from '../errors/api-errors';
import { toPage, type PageOf } from '../graphql/page.model';
import { PLANS, planOf, type Plans } from '../plans/plans';
import { allPages } from '../propagation/tenant-definition';
import { TenantChanges } from '../propagation/tenant-changes.service';
import type { CreateRuleInput, RuleFilterInput, UpdateRuleInput } from './rule.input';
import { RuleModel, type RuleTestResultModel } from './rule.model';
import { checkAction, checkRuleSql } from './rule-validation';

@Injectable()
export class RulesService {
  constructor(
    private readonly changes: TenantChanges,
    private readonly box: SecretBox,
    @Inject(PLANS) private readonly plans: Plans,
  ) {}

  async create(tenantId: string, input: CreateRuleInput): Promise<RuleModel> {
    checkRuleSql(input.sql);
    const actions = input.actions ?? [];
    return this.changes.apply(tenantId, async (repos, tenant) => {
      const plan = planOf(this.plans, tenant.plan);
      if ((await repos.rules.count(tenantId)) >= plan.maxRules) {
        throw new QuotaExceededError('rules', plan.maxRules, tenant.plan);
      }
      if (actions.length > plan.maxActionsPerRule) {
        throw new QuotaExceededError('actionsPerRule', plan.maxActionsPerRule, tenant.plan);
      }
      for (const [i, action] of actions.entries()) {
        await checkAction(
          repos,
          this.box,
          tenantId,
          action,
          `input.actions.${i}`,
          this.changes.operatorBroker,
        );
      }
      const rule = await repos.rules.create(tenantId, {
        name: input.name,
        sql: input.sql,
        description: input.description ?? '',
        enabled: input.enabled ?? true,
      });
      const rows = [];
      for (const [position, action] of actions.entries()) {
        rows.push(
          await repos.actions.create(tenantId, {
            ruleId: rule.id,
            connectorId: action.connectorId,
            config: action.config,
            enabled: action.enabled ?? true,
            position,
          }),
        );
      }
      return RuleModel.from(rule, rows);
    });
  }

  async update(tenantId: string, input: UpdateRuleInput): Promise<RuleModel> {
    if (input.sql !== undefined) checkRuleSql(input.sql);
    return this.changes.apply(tenantId, async (repos) => {
      const rule = await repos.rules.update(tenantId, input.id, input.version, {
        ...(input.name !== undefined && { name: input.name }),
        ...(input.sql !== undefined && { sql: input.sql }),
        ...(input.description !== undefined && { description: input.description }),
        ...(input.enabled !== undefined && { enabled: input.enabled }),
      });
      return RuleModel.from(rule, await repos.actions.listForRule(tenantId, rule.id));
    });
  }

  setEnabled(tenantId: string, id: string, version: number, enabled: boolean): Promise<RuleModel> {
    return this.update(tenantId, { id, version, enabled });
  }

  async delete(tenantId: string, id: string): Promise<string> {
    await this.changes.apply(tenantId, (repos) => repos.rules.delete(tenantId, id));
    return id;
  }

  get(tenantId: string, id: string): Promise<RuleModel> {
    return this.changes.inTransaction(async (repos) => {
      const rule = await repos.rules.require(tenantId, id);
      return RuleModel.from(rule, await repos.actions.listForRule(tenantId, id));
    });
  }

  /** One query for the page's rules and one for all their actions (no query per rule). */
  list(tenantId: string, page: PageRequest, filter: RuleFilterInput = {}): Promise<PageOf<RuleModel>> {
    return this.changes.inTransaction(async (repos) => {
      const rules = await repos.rules.list(tenantId, page, filter);
      return toPage(rules, withActions(await actionsOf(repos, tenantId, rules.items)));
    });
  }

  /**
   * Runs SQL on one message, as EMQX's rule test does; never saves anything. With a tenant, also
   * what the rule would warn about against its sources.
   */
  async test(
    sql: string,
    context: Record<string, unknown>,
    tenantId: string | undefined,
  ): Promise<RuleTestResultModel> {
    const result = testRule(sql, context);
    if ('error' in result) {
      const { kind, message, line, column } = result.error;
      return {
        matched: false,
        outputs: [],
        error: { kind, message, line: line ?? null, column: column ?? null },
        warnings: kind === 'runtime' && tenantId ? await this.warnings(tenantId, sql) : [],
      };
    }
    // why through JSON: GraphQL's JSON scalar cannot carry a bigint (integers beyond 2^53 round there)
    const outputs = result.outputs.map((o) => JSON.parse(stringifyJson(o)) as Record<string, unknown>);
    const warnings = tenantId ? await this.warnings(tenantId, sql) : [];
    return { matched: result.matched, outputs, error: null, warnings };
  }

  /** What the rule's SQL warns about against the tenant's enabled sources (none when it does not compile). */
  async warnings(tenantId: string, sql: string): Promise<RuleWarning[]> {
    let compiled: CompiledRule;
    try {
      compiled = compileRule(sql);
    } catch {
      return [];
    }
    const rows = await this.changes.inTransaction((repos) =>
      allPages((page) => repos.sources.list(tenantId, page)),
    );
    const sources = rows
      .filter((s) => s.enabled)
      .map((s) => ({ ...s.config, id: s.id, kind: s.kind }) as SourceDefinition);
    return ruleWarnings(compiled, sources);
  }
}

async function actionsOf(repos: Repositories, tenantId: string, rules: Rule[]) {
  return repos.actions.listForRules(
    tenantId,
    rules.map((r) => r.id),
  );
}

function withActions(actions: Awaited<ReturnType<typeof actionsOf>>) {
  return (rule: Rule) =>
    RuleModel.from(
      rule,
      actions.filter((a) => a.ruleId === rule.id),
    );
}
