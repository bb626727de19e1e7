import type { CompiledRule, RuleContext, RuleResult } from '../types';
import { TopicFilterIndex } from '../topic-filter/topic-filter-index';
import { RuleMetrics } from './rule-metrics';

/** One rule in a set: its id, compiled form and metrics. */
export interface RuleEntry {
  readonly id: string;
  readonly rule: CompiledRule;
  readonly metrics: RuleMetrics;
}

/** What one rule gave for one message. */
export interface RuleOutcome {
  readonly entry: RuleEntry;
  readonly result: RuleResult;
}

/**
 * The compiled rules of one tenant, indexed by their FROM topic filters, with metrics per rule.
 *
 * @example
 * const rules = new RuleSet();
 * rules.add('r1', compileRule('SELECT * FROM "t/#"'));
 * rules.apply({ topic: 't/1', payload: '{}' }); // [{ entry, result: { matched: true, outputs: [...] } }]
 */
export class RuleSet {
  private readonly index = new TopicFilterIndex<RuleEntry>();
  private readonly entries = new Map<string, RuleEntry>();

  constructor(private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.entries.size;
  }

  /** Adds or replaces the rule `id`; metrics start again at zero when a rule is replaced. */
  add(id: string, rule: CompiledRule): RuleEntry {
    this.remove(id);
    const entry: RuleEntry = { id, rule, metrics: new RuleMetrics(this.now) };
    for (const topic of rule.topics) this.index.add(topic, entry);
    this.entries.set(id, entry);
    return entry;
  }

  remove(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    for (const topic of entry.rule.topics) this.index.remove(topic, entry);
    this.entries.delete(id);
    return true;
  }

  get(id: string): RuleEntry | undefined {
    return this.entries.get(id);
  }

  /** The rules whose FROM matches `topic`, each once. */
  matching(topic: string): RuleEntry[] {
    return this.index.match(topic);
  }

  /**
   * Evaluates every rule whose FROM matches `route` on the message or event and counts the results
   * in each rule's metrics. A message is routed by its topic; an event by its `$events/...` topic
   * (its `topic` column, if any, is the message topic: `apply(ctx, '$events/message/delivered')`).
   */
  apply(ctx: RuleContext, route: string = ctx.topic ?? ''): RuleOutcome[] {
    return this.matching(route).map((entry) => {
      const result = entry.rule.evaluate(ctx);
      entry.metrics.recordResult(result);
      return { entry, result };
    });
  }
}
