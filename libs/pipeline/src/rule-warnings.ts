import { compileRule, type CompiledRule } from '@sluice/rule-engine';
import { loadPipelineFile, PipelineDefinitionError, type SourceDefinition } from './pipeline-definition';

/** Why a rule that compiles may still never fire, or fire with NULLs (docs/rule-sql.md, "What a rule sees"). */
export interface RuleWarning {
  /** RULE_FROM_UNSUBSCRIBED, RULE_EVENT_NOT_FED or RULE_COLUMN_NOT_PROVIDED. */
  readonly code: string;
  readonly message: string;
}

/** The publisher's identity: a broker tells a subscriber none of it (docs/rule-sql.md). */
const identityColumns = ['clientid', 'username', 'peerhost'] as const;
type IdentityColumn = (typeof identityColumns)[number];

/**
 * What a saved or tested rule should warn about, given the tenant's (enabled) sources: a FROM topic
 * filter that no source subscribes to a topic of (the rule never fires), and a publisher-identity
 * column (`clientid`, `username`, `peerhost`) that no source feeding the rule provides (it reads
 * NULL), and an event (`$events/...`) that no source of the tenant produces (RULE_EVENT_NOT_FED: only
 * an MQTT source with `clientEvents: 'emqx'` produces any, client.connected and client.disconnected).
 *
 * @example
 * ruleWarnings(compileRule('SELECT clientid FROM "a/#"'), [{ id: 's', kind: 'mqtt', topics: [{ filter: 'b/#', qos: 1 }] }])
 * // [{ code: 'RULE_FROM_UNSUBSCRIBED', ... }, { code: 'RULE_COLUMN_NOT_PROVIDED', ... }]
 */
export function ruleWarnings(rule: CompiledRule, sources: readonly SourceDefinition[]): RuleWarning[] {
  const warnings: RuleWarning[] = [];
  const filters = rule.topics.filter((t) => !t.startsWith('$events/'));
  // why '#' for Kafka and NATS: the topics rules see come from a template (kafka/{topic}); no warning
  const subscribed = sources.flatMap((s) =>
    s.kind === 'mqtt' ? s.topics.map((t) => ({ source: s, filter: t.filter })) : [{ source: s, filter: '#' }],
  );
  const feeding = new Set<SourceDefinition>();
  for (const filter of filters) {
    const matching = subscribed.filter((s) => filtersOverlap(filter, s.filter));
    for (const m of matching) feeding.add(m.source);
    if (matching.length === 0) {
      const have = [...new Set(subscribed.map((s) => s.filter))];
      warnings.push({
        code: 'RULE_FROM_UNSUBSCRIBED',
        message:
          `FROM "${filter}": no source of the tenant subscribes to a topic it matches, so the rule never fires on it ` +
          `(${have.length ? `the sources subscribe to ${have.map((f) => `"${f}"`).join(', ')}` : 'the tenant has no enabled source'})`,
      });
    }
  }
  const unfed = rule.events.filter((event) => !sources.some((s) => feedsEvent(s, event)));
  if (unfed.length > 0) {
    const mappable = unfed.filter((event) => SYS_CLIENT_EVENTS.has(event));
    warnings.push({
      code: 'RULE_EVENT_NOT_FED',
      message:
        `nothing feeds ${unfed.join(', ')}: no source of the tenant produces ${unfed.length > 1 ? 'these events' : 'this event'}, ` +
        `so the rule never fires on ${unfed.length > 1 ? 'them' : 'it'}` +
        (mappable.length > 0
          ? ` (an MQTT source on EMQX with clientEvents: 'emqx' produces ${mappable.join(' and ')})`
          : ' (Sluice, a client of the broker, sees only the events a broker publishes: docs/rule-sql.md, Events)'),
    });
  }
  if (filters.length === 0 || rule.events.length > 0) return warnings;
  // why the feeding sources: a column only matters where the rule's messages come from
  const relevant = feeding.size > 0 ? [...feeding] : sources;
  for (const column of identityColumns) {
    if (!rule.columns.includes(column)) continue;
    if (relevant.some((s) => provides(s, column))) continue;
    warnings.push({
      code: 'RULE_COLUMN_NOT_PROVIDED',
      message:
        column === 'peerhost'
          ? 'peerhost: a subscriber is never told the address of the publisher, so it is NULL here'
          : `${column}: a subscriber is not told the publisher's ${column}, and no source feeding this rule maps it ` +
            `(an MQTT source's topicPattern {${column}} or userPropertyFields.${column}), so it is NULL here`,
    });
  }
  return warnings;
}

/**
 * `sluice rule test --pipeline FILE [--tenant ID]`: the warnings of a rule's SQL against the sources
 * of one tenant of a pipeline file (the only one when `tenantId` is left out). SQL that does not
 * compile has none (its error says enough).
 *
 * @example pipelineRuleWarnings('examples/pipeline.json', undefined)('SELECT clientid FROM "sensors/#"')
 */
export function pipelineRuleWarnings(
  file: string,
  tenantId: string | undefined,
): (sql: string) => RuleWarning[] {
  const { tenants } = loadPipelineFile(file);
  const tenant =
    tenantId === undefined && tenants.length === 1 ? tenants[0] : tenants.find((t) => t.id === tenantId);
  if (!tenant) {
    const ids = tenants.map((t) => t.id).join(', ') || 'none';
    throw new PipelineDefinitionError(
      tenantId === undefined
        ? `Pipeline file ${file} has ${tenants.length} tenants (${ids}): name one with --tenant`
        : `Pipeline file ${file} has no tenant '${tenantId}' (it has: ${ids})`,
    );
  }
  const sources = tenant.sources.filter((s) => (s as { enabled?: unknown }).enabled !== false);
  return (sql) => {
    let rule: CompiledRule;
    try {
      rule = compileRule(sql);
    } catch {
      return [];
    }
    return ruleWarnings(rule, sources);
  };
}

/** The events a source can produce: EMQX's $SYS client messages, mapped by `clientEvents: 'emqx'`. */
const SYS_CLIENT_EVENTS = new Set(['client.connected', 'client.disconnected']);

function feedsEvent(source: SourceDefinition, event: string): boolean {
  return (
    source.kind === 'mqtt' &&
    (source as Record<string, unknown>)['clientEvents'] === 'emqx' &&
    SYS_CLIENT_EVENTS.has(event)
  );
}

/** Whether a source fills `column` in what it ingests (docs/sources.md). */
function provides(source: SourceDefinition, column: IdentityColumn): boolean {
  if (column === 'peerhost') return false;
  const options = source as Record<string, unknown>;
  switch (source.kind) {
    case 'mqtt': {
      const pattern = options['topicPattern'];
      const fields = options['userPropertyFields'] as Record<string, unknown> | undefined;
      return (
        (typeof pattern === 'string' && pattern.includes(`{${column}}`)) || fields?.[column] !== undefined
      );
    }
    case 'kafka':
      // the record key goes to clientid unless `key` says otherwise
      return (options['key'] ?? 'clientid') === column;
    case 'nats':
      return (options['headerFields'] as Record<string, unknown> | undefined)?.[column] !== undefined;
  }
}

/** Whether some topic matches both MQTT topic filters (MQTT 5 §4.7; `#`/`+` first do not match `$...`). */
export function filtersOverlap(a: string, b: string): boolean {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; ; i++) {
    const p = x[i];
    const q = y[i];
    if (p === '#' || q === '#') {
      // a wildcard first level matches no topic starting with '$'
      if (i === 0 && ((p === '#' && q?.startsWith('$')) || (q === '#' && p?.startsWith('$')))) return false;
      return true;
    }
    if (p === undefined || q === undefined) return p === q;
    if (p === '+' || q === '+') {
      if (i === 0 && ((p === '+' && q.startsWith('$')) || (q === '+' && p.startsWith('$')))) return false;
      continue;
    }
    if (p !== q) return false;
  }
}
