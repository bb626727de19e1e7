import type { RuleRuntimeError } from './errors';

/**
 * One message as a rule sees it, with EMQX's column names (plus Sluice's `source` and `tenant`).
 * `payload` stays as published; it is decoded from JSON only when a rule reads `payload.<field>`.
 * Other keys are allowed so that an EMQX rule-test context can be passed through unchanged.
 */
export interface RuleContext {
  readonly id?: string;
  readonly topic?: string;
  readonly payload?: string | Uint8Array | Readonly<Record<string, unknown>>;
  readonly qos?: number;
  readonly retain?: boolean;
  readonly flags?: Readonly<Record<string, unknown>>;
  readonly clientid?: string;
  readonly username?: string;
  readonly peerhost?: string;
  readonly timestamp?: number;
  readonly publish_received_at?: number;
  readonly node?: string;
  readonly pub_props?: Readonly<Record<string, unknown>>;
  readonly source?: string;
  readonly tenant?: string;
  readonly [column: string]: unknown;
}

/** The outcome of one rule for one message: its outputs (one per FOREACH item), no match, or the error. */
export type RuleResult =
  | { readonly matched: false }
  | { readonly matched: true; readonly outputs: Record<string, unknown>[] }
  | { readonly error: RuleRuntimeError };

/** A rule compiled once; `evaluate` never throws, whatever the message holds. */
export interface CompiledRule {
  readonly sql: string;
  /**
   * What the rule is routed by: the topic filters of the FROM clause, as written, plus the 5.x
   * `$events/...` topic of each event a `$events` filter selects (legacy names, wildcards).
   */
  readonly topics: readonly string[];
  /** The EMQX events the rule selects (`client.connected`, ...); empty for a rule on topics only. */
  readonly events: readonly string[];
  /**
   * The message columns the rule reads by name (`clientid`, `payload`, ...; clientid() and the other
   * message functions count as their column), not its own aliases. Lets a caller warn about columns
   * no source provides.
   */
  readonly columns: readonly string[];
  evaluate(ctx: RuleContext): RuleResult;
}
